"""Two syncs at once (the till's relay and `loyalty-pos sync`): an answer fetched from an older
cursor is not applied over what the other sync applied meanwhile."""

from __future__ import annotations

from test_sync_headoffice import HeadOffice, ho, sync_settings, till1  # noqa: F401  (fixtures)

from loyalty_pos.headoffice.publish import publish_promotions
from loyalty_pos.sync.client import SyncClient
from loyalty_pos.sync.pull import pull_changes


def test_an_answer_from_an_older_cursor_is_not_applied(
        till1, ho: HeadOffice) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ho.publish(publish_promotions, [{"code": "LATE", "name": "Late", "effect": "bonus_points",
                                     "value": 5}])
    settings = sync_settings(till1)

    class OtherSyncMeanwhile:
        """Head office's answer arrives after another sync moved the cursor on."""

        def request(self, method: str, url: str, **kwargs: object):  # type: ignore[no-untyped-def]
            answer = ho.http.request(method, url, **kwargs)  # type: ignore[arg-type]
            if "/v1/changes" in url:
                connection = till1.raw()
                with connection:
                    connection.execute("INSERT OR REPLACE INTO settings (key, value) "
                                       "VALUES ('sync.pull_cursor', '999999')")
                connection.close()
            return answer

        def close(self) -> None:
            pass

    client = SyncClient("http://headoffice.test", till1.ctx.till_number,
                        settings["sync.till_key"], OtherSyncMeanwhile())
    assert pull_changes(till1.db, client, till1.clock) == 0
    assert till1.scalar("SELECT count(*) FROM promotions WHERE code = 'LATE'") == 0
    assert sync_settings(till1)["sync.pull_cursor"] == "999999"
