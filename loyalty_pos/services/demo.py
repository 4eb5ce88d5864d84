"""`loyalty-pos demo`: a realistic demo chain store in an empty till database.

What it creates: store S001 with this till (number 1) and a second store and till, six staff
members with PINs, the default tiers, ~200 products in 10 categories, promotions covering every
effect, and N members with cards, consents, referrals and purchase history (sales, stored-value
top-ups, redemptions, referral rewards, tier changes) that `loyalty-pos verify` accepts.

Speed (1,000,000 members in under a minute on 2 cores) shapes the code:
- The shop itself (staff, products, promotions) goes through the services and the ORM.
- Members go in with executemany on a raw sqlite3 connection in big transactions, with
  synchronous=OFF while loading (FULL again at the end; journal_mode stays WAL). Cards and
  consents are derived from the members table in SQL (INSERT ... SELECT), at C speed.
- Secondary indexes and the FTS triggers are set aside during the load and put back with the
  migration's own SQL; the indexes are then built once by sorting and the FTS index rebuilt
  once, instead of being kept up to date row by row.
- Every row is made by a pure-Python generator (`demo_batches`: members, then history). For
  big demos it runs in a second process and streams batches through a queue while this process
  writes them, so Python's work and SQLite's overlap on two cores. This process is the only
  writer: no lock is ever waited for.
- History is replayed in one global time order, so every ledger entry gets its sequence number
  and hash chain link as it is made, exactly as the till would have written it.
- History rows and members get time-ordered UUIDs (version 7): primary-key inserts append.

The seed fixes names, phones, baskets and history. UUIDs (members, sales, entries) are fresh on
every run so that two demo tills never share an id at head office.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import json
import multiprocessing
import os
import random
import sqlite3
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from queue import Empty
from typing import NamedTuple

from sqlalchemy import select

from ..core.chain import GENESIS_HASH, canonical
from ..core.ean import CARD_PREFIX, MAX_CARD_SERIAL, check_digit, make_card_number
from ..core.errors import Conflict, InvalidInput
from ..core.members import REFERRAL_ALPHABET
from ..core.money import format_money, parse_money
from ..core.points import Lot, consume_lots, lot_expiry, max_redeemable_points, redemption_value
from ..core.program import ProgramRules
from ..core.promotions import Effect, PromotionRule
from ..core.tiers import TierRule, decide_tier
from ..db.engine import Database
from ..db.models import Member, Product, Staff, Store, Till
from .catalog import save_promotion
from .context import TillContext, load_rules, load_tiers
from .ledger import POINTS, STORED_VALUE
from .members import REQUIRED_CONSENTS, current_agreement
from .setup import TillSetup, setup_till
from .staff import StaffService

Progress = Callable[[str], object]

MEMBER_CHUNK = 100_000       # members per transaction (and per progress line)
PARALLEL_FROM = 20_000       # below this, rows are made in this process (no start-up cost)
HISTORY_SHARE = 0.20         # members with past sales (most loyalty members are dormant)
REFERRED_SHARE = 0.10        # members enrolled with an earlier member's referral code
MARKETING_PERCENT = 40       # members who opted in to marketing
EMAIL_SHARE = 0.35
BIRTHDAY_SHARE = 0.85
EMAIL_ONLY_SHARE = 0.02      # members who gave an email but no phone
LATIN_NAME_SHARE = 0.30
TOP_UP_SHARE = 0.10          # of history members
ENROLMENT_YEARS = 3
HISTORY_DAYS = 335           # sales over the last 11 months: the oldest lots are near expiry
SHOP_UTC_OFFSET = timedelta(hours=8)    # the demo chain trades in China (UTC+8, no DST)
OPENS, CLOSES = 8 * 3600, 22 * 3600     # shop hours, local seconds after midnight
DAY_US = 86_400_000_000
EPOCH = datetime(1970, 1, 1)

# -- the shop ---------------------------------------------------------------------------------

STORE = TillSetup(store_code="S001", store_name="FreshMart Nanjing Road",
                  store_address="1 Nanjing Road, Shanghai (demo)", till_number=1,
                  till_name="Till 1", manager_name="王建国",
                  manager_pin="0000")  # replaced by a random PIN, printed in the summary
SECOND_STORE = ("S002", "FreshMart Xujiahui", "88 Hongqiao Road, Shanghai (demo)")
SECOND_TILL_NUMBER = 2
STAFF = (("王建国", "manager"), ("Sarah Lin", "manager"), ("李娜", "cashier"),
         ("张伟", "cashier"), ("Amy Zhou", "cashier"), ("陈静", "cashier"))

# Category -> (SKU prefix, GS1 China company number, "name price; ..." in major units).
# A trailing "*" marks a product that earns no points (infant formula: Chinese rules forbid
# promoting it).
CATALOG: dict[str, tuple[str, int, str]] = {
    "Groceries": ("GRO", 10001, """
        Jasmine rice 5kg 59.90; Northeast rice 10kg 89.90; Peanut oil 5L 129.90;
        Light soy sauce 500ml 12.90; Dark soy sauce 500ml 13.90; Black rice vinegar 500ml 9.90;
        Oyster sauce 510g 15.90; Wheat noodles 1kg 11.90; Rice noodles 400g 8.90;
        Instant noodles 5-pack 12.50; Dumpling flour 2.5kg 19.90; Brown sugar 500g 9.90;
        Sichuan peppercorns 100g 15.90; Chili bean paste 500g 12.90; Sesame oil 250ml 18.90;
        Dried shiitake 200g 32.90; Red dates 500g 25.90; Goji berries 250g 39.90;
        Mung beans 1kg 13.90; Sea salt 400g 3.50"""),
    "Bakery": ("BAK", 10002, """
        White toast loaf 10.90; Whole wheat bread 12.90; Pork floss bun 6.90; Red bean bun 5.90;
        Egg tarts 4-pack 15.90; Croissants 2-pack 12.90; Custard bun 6.50;
        Lotus paste mooncakes 4-pack 68.80; Sponge cake 12.90; Coconut bread 8.90;
        Cheese baguette 15.90; Chocolate muffin 7.90; Taro roll 11.90; Swiss roll 14.90;
        Sourdough loaf 22.90; Milk bread rolls 6-pack 13.90; Bagels 3-pack 12.90;
        Cream puffs 6-pack 16.90; Matcha cake 15.90; Birthday cake 6 inch 128.00"""),
    "Dairy": ("DAI", 10003, """
        Whole milk 1L 12.90; Skim milk 1L 11.90; Milk 250ml x12 59.90; Yogurt drink 4x100g 12.90;
        Plain yogurt 1kg 18.90; Greek yogurt 450g 24.90; Cheddar slices 200g 25.90;
        Butter 200g 22.90; Whipping cream 250ml 18.90; Mozzarella 250g 28.90;
        Free-range eggs 10 15.90; Salted duck eggs 6 18.90; Soy milk 1L 8.90;
        Cream cheese 200g 24.90; Strawberry yogurt 4-pack 13.90; Goat milk 1L 29.90;
        Condensed milk 400g 14.90; Kefir 500ml 15.90; Adult milk powder 900g 158.00;
        Lactose-free milk 1L 16.90"""),
    "Drinks": ("DRK", 10004, """
        Green tea 500ml 3.50; Cola 330ml x6 15.90; Mineral water 550ml x24 29.90;
        Orange juice 1L 15.90; Jasmine tea leaves 250g 68.00; Pu'er tea cake 357g 198.00;
        Coffee beans 500g 89.00; Instant coffee 30 sachets 45.90; Beer 500ml x12 59.90;
        Moutai baijiu 500ml 1499.00; Wuliangye baijiu 500ml 1099.00;
        Bordeaux red wine 750ml 168.00; Herbal tea 310ml x6 23.90; Sparkling water 330ml x6 21.90;
        Coconut water 1L 18.90; Sports drink 600ml 5.50; Sour plum juice 1L 12.90;
        Oolong tea 500ml 4.50; Yakult 5-pack 10.50; Shaoxing rice wine 500ml 25.90"""),
    "Household": ("HOU", 10005, """
        Laundry detergent 3kg 45.90; Dish soap 1.5kg 19.90; Toilet paper 12 rolls 39.90;
        Tissues 6 packs 15.90; Kitchen towels 4 rolls 18.90; Trash bags 100 12.90;
        Floor cleaner 2L 25.90; Sponges 6-pack 9.90; Aluminium foil 20m 15.90;
        Cling film 30m 12.90; Fabric softener 2L 32.90; Bleach 1L 8.90; LED bulb 9W 15.90;
        AA batteries 8-pack 29.90; Mosquito coils 9.90; Bamboo chopsticks 10 pairs 19.90;
        Rice cooker 3L 299.00; Vacuum flask 500ml 89.00; Storage box set 49.90;
        Electric kettle 1.7L 129.00"""),
    "Personal Care": ("PER", 10006, """
        Toothpaste 120g 15.90; Toothbrushes 2-pack 19.90; Shampoo 750ml 59.90;
        Conditioner 400ml 45.90; Body wash 1L 49.90; Hand soap 500ml 15.90;
        Facial cleanser 100g 69.90; Moisturiser 50ml 128.00; Sunscreen SPF50 89.90;
        Sheet masks 10-pack 99.00; Razor blades 4-pack 89.90; Deodorant 45.90;
        Cotton pads 12.90; Sanitary pads 29.90; Mouthwash 500ml 29.90; Hand cream 29.90;
        Lip balm 19.90; Hair oil 59.00; Nail clippers 15.90; Dental floss 12.90"""),
    "Snacks": ("SNK", 10007, """
        Potato chips 104g 10.90; Spicy gluten strips 5.90; Sunflower seeds 500g 15.90;
        Roasted peanuts 500g 15.90; Dried mango 22.90; Beef jerky 39.90; Shrimp crackers 8.90;
        White Rabbit candy 19.90; Chocolate bar 9.90; Seaweed snack 12.90;
        Pineapple cakes 29.90; Walnuts 500g 45.90; Pistachios 500g 59.90; Haw flakes 5.90;
        Rice crackers 12.90; Butter cookies tin 49.90; Spicy dried tofu 8.90;
        Pickled chicken feet 15.90; Egg rolls 19.90; Daily mixed nuts 30 packs 129.00"""),
    "Frozen": ("FRZ", 10008, """
        Pork and cabbage dumplings 1kg 29.90; Shrimp wontons 500g 32.90;
        Black sesame tangyuan 12.90; Mantou 12 12.90; Chicken wings 1kg 39.90;
        Fish balls 500g 22.90; Hotpot beef slices 500g 69.90; Hotpot lamb slices 500g 69.90;
        Ice cream bars 6 29.90; Frozen shrimp 500g 59.90; Scallion pancakes 10 21.90;
        Xiaolongbao 12 25.90; Tofu skin rolls 12.90; Sweetcorn 1kg 12.90; Sesame balls 15.90;
        Zongzi 6 39.90; Salmon fillet 300g 69.90; Spring rolls 20 22.90;
        Spicy crayfish 1kg 89.90; Mochi ice cream 6 35.90"""),
    "Fruit & Veg": ("FRV", 10009, """
        Fuji apples 1kg 12.90; Bananas 1kg 6.90; Mandarins 1kg 9.90; Watermelon 39.90;
        Kyoho grapes 1kg 19.90; Lychees 500g 29.90; Dragon fruit 15.90; Kiwis 6 19.90;
        Strawberries 500g 39.90; Pak choi 500g 5.90; Napa cabbage 8.90; Tomatoes 1kg 9.90;
        Cucumbers 1kg 7.90; Potatoes 2kg 9.90; Carrots 1kg 5.90; Garlic 500g 8.90;
        Ginger 500g 12.90; Spring onions 2.90; Fresh shiitake 300g 12.90; Lotus root 1kg 15.90"""),
    "Baby": ("BAB", 10010, """
        Infant formula stage 1 900g 298.00*; Infant formula stage 2 900g 278.00*;
        Infant formula stage 3 900g 258.00*; Diapers M 54 129.00; Diapers L 46 129.00;
        Baby wipes 80x6 49.90; Rice cereal 24.90; Fruit puree pouches 4 25.90;
        Baby shampoo 39.90; Baby lotion 49.90; Feeding bottle 240ml 89.00; Teether 39.90;
        Bibs 3-pack 29.90; Baby socks 3 pairs 19.90; Sippy cup 59.00;
        Baby laundry detergent 39.90; Nipple cream 69.00; Teething biscuits 19.90;
        Baby noodles 29.90; Nappy cream 45.90"""),
}


@dataclass(frozen=True)
class ProductRow:
    id: int
    sku: str
    name: str
    category: str
    price: int
    eligible: bool


def catalog_entries() -> Iterator[tuple[str, str, str, str, int, bool]]:
    """(sku, barcode, name, category, price, points eligible) of every demo product."""
    for category, (prefix, company, text) in CATALOG.items():
        for number, item in enumerate((i.strip() for i in text.split(";")), start=1):
            name, price = item.rstrip("*").rsplit(" ", 1)
            body = f"69{company:05d}{number:05d}"  # 69x: GS1 China, never a member card (2x)
            yield (f"{prefix}{number:03d}", body + check_digit(body), name, category,
                   parse_money(price), not item.endswith("*"))


def demo_promotions(products: list[ProductRow]) -> list[PromotionRule]:
    """One promotion per effect and condition the quote engine knows."""
    milk = next(p.sku for p in products if p.name.startswith("Milk 250ml"))
    return [
        PromotionRule("WED2X", "Wednesday double points", Effect.POINTS_MULTIPLIER, 200,
                      priority=10, weekdays=frozenset({2})),
        PromotionRule("BIG200", "50 bonus points over 200.00", Effect.BONUS_POINTS, 50,
                      priority=20, min_basket=20_000),
        PromotionRule("FRUIT10", "10% off fruit & veg", Effect.PERCENT_DISCOUNT, 10,
                      priority=30, categories=frozenset({"Fruit & Veg"})),
        PromotionRule("MILK5", "5.00 off a case of milk", Effect.FIXED_DISCOUNT, 500,
                      priority=30, skus=frozenset({milk})),
        PromotionRule("BDAY", "Birthday month: 200 bonus points", Effect.BONUS_POINTS, 200,
                      priority=15, birthday_month=True),
        PromotionRule("WELCOME", "First purchase: 100 bonus points", Effect.BONUS_POINTS, 100,
                      priority=15, first_purchase=True),
        PromotionRule("EVEBAKE", "Bakery 30% off after 20:00", Effect.PERCENT_DISCOUNT, 30,
                      priority=40, categories=frozenset({"Bakery"}),
                      start_time=datetime(2000, 1, 1, 20).time(),
                      end_time=datetime(2000, 1, 1, 22).time()),
        PromotionRule("PLAT8", "Platinum: 8% off everything (exclusive)",
                      Effect.PERCENT_DISCOUNT, 8, priority=100, exclusive=True,
                      tiers=frozenset({"platinum"})),
    ]


def _words(text: str) -> list[str]:
    return text.split()


# -- member names -----------------------------------------------------------------------------

SURNAMES = _words(
    "王Wang 李Li 张Zhang 刘Liu 陈Chen 杨Yang 黄Huang 赵Zhao 吴Wu 周Zhou 徐Xu "
    "孙Sun 马Ma 朱Zhu 胡Hu 郭Guo 何He 林Lin 罗Luo 高Gao 郑Zheng 梁Liang 谢Xie "
    "宋Song 唐Tang 许Xu 韩Han 冯Feng 邓Deng 曹Cao 彭Peng 曾Zeng 肖Xiao "
    "田Tian 董Dong 袁Yuan 潘Pan 于Yu 蒋Jiang 蔡Cai 余Yu 杜Du 叶Ye 程Cheng "
    "苏Su 魏Wei 吕Lyu 丁Ding 任Ren 沈Shen 姚Yao 卢Lu 姜Jiang 崔Cui 钟Zhong "
    "谭Tan 陆Lu 汪Wang 范Fan 金Jin 石Shi 廖Liao 贾Jia 夏Xia 韦Wei 付Fu 方Fang "
    "白Bai 邹Zou 孟Meng 熊Xiong 秦Qin 邱Qiu 江Jiang 尹Yin 薛Xue 闫Yan 段Duan "
    "雷Lei 侯Hou 龙Long 史Shi 陶Tao 黎Li 贺He 顾Gu 毛Mao 郝Hao 龚Gong 邵Shao "
    "万Wan 钱Qian 严Yan 武Wu 戴Dai 莫Mo 孔Kong 向Xiang 汤Tang 欧阳Ouyang")
GIVEN = _words(
    "伟Wei 芳Fang 娜Na 敏Min 静Jing 丽Li 强Qiang 磊Lei 军Jun 洋Yang 勇Yong "
    "艳Yan 杰Jie 娟Juan 涛Tao 明Ming 超Chao 秀Xiu 霞Xia 平Ping 刚Gang 桂Gui "
    "英Ying 华Hua 玉Yu 萍Ping 红Hong 鹏Peng 辉Hui 建Jian 国Guo 文Wen 婷Ting "
    "宇Yu 浩Hao 然Ran 轩Xuan 子Zi 涵Han 梓Zi 欣Xin 怡Yi 佳Jia 琪Qi 雨Yu 晨Chen "
    "思Si 博Bo 俊Jun 一Yi 诗Shi 嘉Jia 晓Xiao 小Xiao 海Hai 林Lin 玲Ling 燕Yan "
    "凤Feng 兰Lan 春Chun 丹Dan 志Zhi 新Xin 宁Ning 飞Fei 波Bo 斌Bin 云Yun "
    "颖Ying 慧Hui 琳Lin 雪Xue 梅Mei 亮Liang 成Cheng 龙Long 天Tian 阳Yang "
    "鑫Xin 瑶Yao 昊Hao 泽Ze 睿Rui 可Ke 心Xin 悦Yue 安An 乐Le 晶Jing")
LATIN_GIVEN = _words(
    "Emma Olivia Sophia Mia Chloe Grace Lily Amy Emily Hannah Sarah Jessica Vivian Cindy "
    "Helen Linda Irene Kevin David Michael Jason Eric Peter Tony Jack Leo Daniel Andrew Alex "
    "Ryan Vincent Steven Frank Henry William James Lucas Oliver Ethan Sophie Zoe Alice Nina "
    "Joyce Crystal Angela Michelle Wendy Jenny Tina Kelly Anna Eva Ben Sam Tom Mark Ivy Coco "
    "Leon Max")
LATIN_SURNAMES = _words(
    "Smith Brown Taylor Wilson Martin Garcia Kim Park Tanaka Nguyen Lee Wong Chan Ng Tan Lim "
    "Ho Cheung")
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def _split_names(items: list[str]) -> tuple[list[str], list[str]]:
    hanzi = [item.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for item in items]
    return hanzi, [item[len(h):] for item, h in zip(items, hanzi, strict=True)]


class NameMaker:
    """Realistic names: Hanzi (surname + 1-2 given characters) or Latin ("Emma Chen").

    Every choice comes from one 64-bit random number (speed: one RNG call per member).
    """

    def __init__(self) -> None:
        self.surnames, self.surname_pinyin = _split_names(SURNAMES)
        self.given, self.given_pinyin = _split_names(GIVEN)
        # Common surnames are much more common (王, 李 and 张 alone are a fifth of China):
        # a 1024-slot table where each surname fills slots in proportion to its weight.
        weights = [1 / (rank + 3) for rank in range(len(SURNAMES))]
        total = sum(weights)
        self.surname_slots = [min(bisect.bisect(_cumulative(weights), slot / 1024 * total),
                                  len(SURNAMES) - 1) for slot in range(1024)]

    def make(self, bits: int) -> tuple[str, str]:
        """(name, the local part of an email address the member might use)."""
        s = self.surname_slots[bits >> 10 & 1023]
        if (bits & 1023) < LATIN_NAME_SHARE * 1024:
            first = LATIN_GIVEN[(bits >> 20) % len(LATIN_GIVEN)]
            last = (LATIN_SURNAMES[(bits >> 32) % len(LATIN_SURNAMES)] if bits >> 30 & 3 == 0
                    else self.surname_pinyin[s])
            return f"{first} {last}", f"{first}.{last}".lower()
        g1 = (bits >> 20) % len(self.given)
        if (bits >> 30) % 10 < 6:
            g2 = (bits >> 34) % len(self.given)
            return (self.surnames[s] + self.given[g1] + self.given[g2],
                    (self.surname_pinyin[s] + self.given_pinyin[g1]
                     + self.given_pinyin[g2]).lower())
        return (self.surnames[s] + self.given[g1],
                (self.surname_pinyin[s] + self.given_pinyin[g1]).lower())


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


@contextmanager
def _without_gc() -> Iterator[None]:
    """Millions of long-lived tuples make the cyclic GC rescan the heap over and over."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- times, ids and per-member keys -----------------------------------------------------------

@dataclass(frozen=True)
class Timeline:
    """The demo's clock: members enrol over ENROLMENT_YEARS up to `now_us` (UTC microseconds)."""
    now_us: int
    members: int

    @property
    def start_us(self) -> int:
        return self.now_us - ENROLMENT_YEARS * 365 * DAY_US

    def enrolled_us(self, member_id: int, jitter: int) -> int:
        """Strictly increasing with the member id, so a referrer always enrolled earlier."""
        span = self.now_us - DAY_US - self.start_us
        offset = ((member_id - 1) * 65_536 + jitter) * span // (self.members * 65_536)
        return shop_hours(self.start_us + offset)


_UTC_OFFSET_US = SHOP_UTC_OFFSET // timedelta(microseconds=1)


def shop_hours(moment_us: int) -> int:
    """Move an instant into the opening hours of its local day (keeps the order of instants)."""
    day, time_of_day = divmod(moment_us + _UTC_OFFSET_US, DAY_US)
    inside = OPENS * 1_000_000 + time_of_day * (CLOSES - OPENS) // 86_400
    return day * DAY_US + inside - _UTC_OFFSET_US


def db_datetime(moment_us: int) -> str:
    """A naive UTC datetime as SQLAlchemy stores it in SQLite (string comparisons must hold)."""
    return (EPOCH + timedelta(microseconds=moment_us)).isoformat(" ", "microseconds")


def time_uuid(moment_us: int, bits: int) -> str:
    """A version-7 UUID (RFC 9562): Unix milliseconds first, then 74 random bits.

    Ids that grow with time make every primary-key insert an append at the end of its index:
    measured, half the cost of writing these rows with random UUIDs (which land anywhere).
    """
    value = ((moment_us // 1000) << 80 | 0x7 << 76 | (bits >> 62 & 0xFFF) << 64 | 0b10 << 62
             | bits & ((1 << 62) - 1))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class KeyStream:
    """Per-member random keys for members 1, 2, 3... in order.

    Key bits come from the seed (who shops, who referred whom, when they enrolled); UUID bits
    from the per-run salt, so that two demo tills never share an id at head office.
    """

    def __init__(self, seed: int, salt: bytes) -> None:
        self.keys = random.Random(f"{seed}/member keys")
        self.uuids = random.Random(salt + b"/member ids")

    def take(self, count: int) -> tuple[list[int], list[int]]:
        """(key bits, UUID random bits) of the next `count` members."""
        keys, uuids = self.keys.getrandbits, self.uuids.getrandbits
        return [keys(64) for _ in range(count)], [uuids(74) for _ in range(count)]


def has_history(key: int) -> bool:
    return (key & 255) < HISTORY_SHARE * 256


def referrer_of(member_id: int, key: int) -> int | None:
    """An earlier member (lower id, so enrolled before) for ~REFERRED_SHARE of members."""
    if member_id == 1 or (key >> 8 & 255) >= REFERRED_SHARE * 256:
        return None
    return 1 + (key >> 16) % (member_id - 1)


def enrolment_jitter(key: int) -> int:
    return key >> 48


def _permuted(index: int, multiplier: int, offset: int, modulus: int) -> int:
    """An affine bijection of 0..modulus-1 (multiplier coprime to modulus): unique values."""
    return (index * multiplier + offset) % modulus


def phone_number(member_id: int, seed: int) -> str:
    """Unique 11-digit China mobile numbers starting 13, 15 or 18."""
    value = _permuted(member_id, 1_234_567_891, seed * 7_777_777, 3_000_000_000)
    return f"{('13', '15', '18')[value // 1_000_000_000]}{value % 1_000_000_000:09d}"


_CODE_PAIRS = [a + b for a in REFERRAL_ALPHABET for b in REFERRAL_ALPHABET]  # 32 * 32 = 1024


def referral_code(member_id: int, seed: int) -> str:
    """Unique 8-character codes (a bijection of the member id), two characters per lookup."""
    value = _permuted(member_id, 0x5DEECE66D, seed * 1_000_003, 32 ** 8)
    return (_CODE_PAIRS[value & 1023] + _CODE_PAIRS[value >> 10 & 1023]
            + _CODE_PAIRS[value >> 20 & 1023] + _CODE_PAIRS[value >> 30 & 1023])


# -- entry point ------------------------------------------------------------------------------

@dataclass
class DemoReport:
    members: int
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    staff: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, name, role, PIN
    products: int = 0
    promotions: int = 0
    samples: list[tuple[str, str, str]] = field(default_factory=list)  # card, name, what
    phone: str = ""


def create_demo(path: str | Path, members: int, seed: int = 7,
                progress: Progress = print) -> str:
    """Create the demo chain store in an empty (or missing) database file; return a summary.

    Thread: the caller's (CLI or a UI worker); it holds the database for the whole run.
    """
    if isinstance(members, bool) or not isinstance(members, int) or not (
            1 <= members <= MAX_CARD_SERIAL):
        raise InvalidInput(f"the number of members must be 1 to {MAX_CARD_SERIAL:,} "
                           "(one card serial each)")
    started = time.perf_counter()
    db = Database.open(Path(path))
    try:
        _refuse_used_database(db)
        report = DemoReport(members)
        shop = _create_shop(db, random.Random(f"{seed}/staff"), report)
        progress(f"shop ready: {report.products} products, {report.promotions} promotions, "
                 f"{len(report.staff)} staff")
        db.engine.dispose()  # from here on only raw connections touch the file
        _load(db, shop, seed, report, progress)
    finally:
        db.close()
    return _summary(report, time.perf_counter() - started)


def _refuse_used_database(db: Database) -> None:
    with db.sessions() as session:
        till = session.scalar(select(Till).limit(1))
        used = (session.scalar(select(Store.id).limit(1))
                or session.scalar(select(Member.id).limit(1))
                or session.scalar(select(Product.id).limit(1)))
    if till is not None:
        raise Conflict(f"{db.path} already belongs to till {till.number} ({till.name}); "
                       "the demo needs an empty or new database file")
    if used is not None:
        raise Conflict(f"{db.path} already holds shop data; the demo needs an empty database")


@dataclass(frozen=True)
class Shop:
    ctx: TillContext
    products: tuple[ProductRow, ...]
    cashier_ids: tuple[int, ...]
    rules: ProgramRules
    tiers: tuple[TierRule, ...]
    consents: tuple[tuple[str, int, str], ...]  # (kind, agreement version id, sha256)


def _create_shop(db: Database, rng: random.Random, report: DemoReport) -> Shop:
    pins = _staff_pins(rng)
    ctx = setup_till(db, replace(STORE, manager_pin=pins[0]))
    with db.transaction() as session:
        manager = session.scalar(select(Staff).order_by(Staff.id).limit(1))
        assert manager is not None
        report.staff.append((manager.id, manager.name, manager.role, pins[0]))
        store = Store(code=SECOND_STORE[0], name=SECOND_STORE[1], address=SECOND_STORE[2])
        session.add(store)
        session.flush()
        session.add(Till(number=SECOND_TILL_NUMBER, store_id=store.id, name="Till 1"))
    staff_service = StaffService(ctx)
    for (name, role), pin in zip(STAFF[1:], pins[1:], strict=True):
        view = staff_service.add_staff(report.staff[0][0], name, role, pin)
        report.staff.append((view.id, view.name, view.role, pin))
    products = _add_products(db)
    report.products = len(products)
    with db.transaction() as session:
        for rule in demo_promotions(products):
            save_promotion(session, rule)
            report.promotions += 1
        rules, tiers = load_rules(session), tuple(load_tiers(session))
        consents = tuple((kind, version.id, version.sha256) for kind in REQUIRED_CONSENTS
                         for version in [current_agreement(session, kind)])
    cashiers = tuple(staff_id for staff_id, _, role, _ in report.staff if role == "cashier")
    return Shop(ctx, tuple(products), cashiers, rules, tiers, consents)


def _staff_pins(rng: random.Random) -> list[str]:
    pins: list[str] = []
    while len(pins) < len(STAFF):
        pin = str(rng.randrange(1000, 10_000))
        if pin not in pins and len(set(pin)) > 2:  # no 1111 or 1212: a demo shows good habits
            pins.append(pin)
    return pins


def _add_products(db: Database) -> list[ProductRow]:
    with db.transaction() as session:
        rows = [Product(sku=sku, barcode=barcode, name=name, category=category, price=price,
                        points_eligible=eligible)
                for sku, barcode, name, category, price, eligible in catalog_entries()]
        session.add_all(rows)
        session.flush()
        return [ProductRow(p.id, p.sku, p.name, p.category, p.price, p.points_eligible)
                for p in rows]


# -- bulk loading: this process is the only writer -------------------------------------------

# Values that differ per member are bound; the same for all are SQL literals (cheaper).
MEMBER_COLUMNS = ("id", "uuid", "name", "phone", "email", "birthday", "referral_code",
                  "referred_by_id", "enrolled_at", "updated_at", "status", "notes",
                  "referral_rewarded", "points_balance", "stored_value_balance",
                  "first_purchase_at", "tier_code", "enrolled_till_id")
_MEMBER_SQL = (f"INSERT INTO members ({', '.join(MEMBER_COLUMNS)}) VALUES "
               "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 'active', '', 0, 0, 0, NULL, ?10, ?11)")
SEARCH_TRIGGERS = ("members_search_insert", "members_search_delete", "members_search_update")
BULK_CACHE_KIB = 1_000_000


class SchemaPause:
    """Indexes and triggers set aside for a bulk load, put back with the migration's own SQL.

    sqlite_master keeps every CREATE statement verbatim, so running the saved text again
    recreates exactly what the migration made. (UNIQUE constraints have no SQL and stay.)
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.pending: dict[str, list[str]] = {}

    def drop(self, group: str, kind: str, table_or_names: tuple[str, ...]) -> None:
        marks = ", ".join("?" for _ in table_or_names)
        column = "tbl_name" if kind == "index" else "name"
        rows = self.connection.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL "
            f"AND {column} IN ({marks}) ORDER BY name", (kind, *table_or_names)).fetchall()
        if kind == "trigger" and len(rows) != len(table_or_names):
            raise Conflict("the member search triggers are missing: is the schema up to date?")
        _write(self.connection, [f'DROP {kind.upper()} "{name}"' for name, _ in rows])
        self.pending[group] = [sql for _, sql in rows]

    def restore(self, group: str, *extra: str) -> None:
        _write(self.connection, [*self.pending.pop(group, []), *extra])

    def restore_all_quietly(self) -> None:
        """After a failure: put back what can be put back; the first error is what matters."""
        for group in list(self.pending):
            with suppress(sqlite3.Error):
                self.restore(group)


def _write(connection: sqlite3.Connection, statements: list[str]) -> None:
    """Statements in one transaction (IMMEDIATE: take the write lock up front, like the till)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        for sql in statements:
            connection.execute(sql)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _load(db: Database, shop: Shop, seed: int, report: DemoReport, progress: Progress) -> None:
    """Members, cards, consents and history, written as fast as SQLite takes them."""
    plan = DemoPlan(report.members, seed, os.urandom(16), _now_us(), shop.ctx.store_id,
                    shop.ctx.till_id, shop.cashier_ids, shop.products, shop.rules, shop.tiers,
                    f"{db.path}.history-tmp")
    connection = db.raw_connection()
    paused = SchemaPause(connection)
    try:
        _bulk_pragmas(connection)
        paused.drop("members", "index", ("members",))
        paused.drop("history", "index", tuple(HISTORY_TABLES))
        paused.drop("search", "trigger", SEARCH_TRIGGERS)
        with generated(plan, parallel=report.members >= PARALLEL_FROM) as batches:
            _load_members(connection, batches, shop, seed, paused, report, progress)
            kind, history = next(batches)
        if kind != "history" or not isinstance(history, HistoryResult):
            raise AssertionError(f"the generator sent {kind!r} where the history was due")
        _load_history(connection, plan, history, paused, report, progress)
    except BaseException:
        paused.restore_all_quietly()
        raise
    finally:
        connection.close()
        _remove_scratch(plan.scratch)


def _load_members(connection: sqlite3.Connection, batches: Iterator[Batch], shop: Shop,
                  seed: int, paused: SchemaPause, report: DemoReport,
                  progress: Progress) -> None:
    """Member rows from the generator; cards, consents and the name indexes from them in SQL.

    Meanwhile the generator replays the history, which is what this waits for next.
    """
    report.rows += _write_members(connection, batches, report.members, progress)
    started = time.perf_counter()
    report.rows += _insert_cards(connection, shop.ctx.till_number, report.members)
    report.rows += _insert_consents(connection, shop, seed)
    progress(f"cards and consents written in {time.perf_counter() - started:.1f} s")
    _timed(progress, "member name index rebuilt", paused.restore, "members")
    _timed(progress, "name search index rebuilt", paused.restore, "search",
           "INSERT INTO member_search(member_search) VALUES('rebuild')")


def _load_history(connection: sqlite3.Connection, plan: DemoPlan, history: HistoryResult,
                  paused: SchemaPause, report: DemoReport, progress: Progress) -> None:
    progress(f"history generated in {history.seconds:.1f} s")
    started = time.perf_counter()
    report.rows += _merge_history(connection, plan, history, report)
    progress(f"history written in {time.perf_counter() - started:.1f} s")
    _timed(progress, "history indexes rebuilt", paused.restore, "history")
    _timed(progress, "query planner statistics (ANALYZE)", _analyze, connection)
    _timed(progress, "checkpoint and fsync", _checkpoint, connection)


def _timed(progress: Progress, what: str, action: Callable[..., object], *args: object) -> None:
    started = time.perf_counter()
    action(*args)
    progress(f"{what} in {time.perf_counter() - started:.1f} s")


def _now_us() -> int:
    return (datetime.now(UTC).replace(tzinfo=None) - EPOCH) // timedelta(microseconds=1)


def _bulk_pragmas(connection: sqlite3.Connection) -> None:
    """Only while loading: a crash now loses the demo, never a shop's sales (FULL again after)."""
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA foreign_keys=OFF")  # every reference is built valid
    connection.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    connection.execute("PRAGMA temp_store=MEMORY")


def _analyze(connection: sqlite3.Connection) -> None:
    connection.execute("ANALYZE")


def _checkpoint(connection: sqlite3.Connection) -> None:
    """Back to the till's own settings, and everything on disk before we say "done"."""
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _write_members(connection: sqlite3.Connection, batches: Iterator[Batch], members: int,
                   progress: Progress) -> int:
    started = time.perf_counter()
    written = 0
    while written < members:
        kind, rows = next(batches)
        assert kind == "members", kind
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(_MEMBER_SQL, rows)  # type: ignore[arg-type]
        connection.execute("COMMIT")
        written += len(rows)  # type: ignore[arg-type]
        progress(f"members: {written:,} of {members:,} "
                 f"({written / (time.perf_counter() - started):,.0f}/s)")
    return written


def card_number_sql(till_number: int) -> str:
    """make_card_number(till_number, serial) as SQL over `id` (the serial): C speed for 1M rows.

    GS1 weights: positions 0, 2, 4... count once, 1, 3, 5... three times. The serial's digit k
    (0 = leftmost of 7) sits at position 5 + k.
    """
    prefix = f"{CARD_PREFIX}{till_number:03d}"
    prefix_sum = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(prefix))
    terms = " + ".join(f"{3 if (5 + k) % 2 else 1} * ((id / {10 ** (6 - k)}) % 10)"
                       for k in range(7))
    return f"'{prefix}' || printf('%07d', id) || ((10 - ({prefix_sum} + {terms}) % 10) % 10)"


def _insert_cards(connection: sqlite3.Connection, till_number: int, members: int) -> int:
    """One active card per member; the card serial is the member id (both start at 1 here)."""
    connection.execute("BEGIN IMMEDIATE")
    count = connection.execute(
        f"INSERT INTO cards (number, member_id, status, issued_at) "
        f"SELECT {card_number_sql(till_number)}, id, 'active', enrolled_at FROM members "
        "ORDER BY id").rowcount
    connection.execute("UPDATE tills SET last_card_serial = ? WHERE number = ?",
                       (members, till_number))
    for serial in sorted({1, members}):
        number = connection.execute("SELECT number FROM cards WHERE id = ?",
                                    (serial,)).fetchone()[0]
        if number != make_card_number(till_number, serial):
            connection.execute("ROLLBACK")
            raise AssertionError(f"card {number} should be {make_card_number(till_number, serial)}")
    connection.execute("COMMIT")
    return count


def _insert_consents(connection: sqlite3.Connection, shop: Shop, seed: int) -> int:
    """Agreement and privacy accepted (current versions) by all, marketing by ~40%.

    Members come out one after the other (CROSS JOIN keeps members as the outer loop), as
    enrolment writes them. The cashier and the marketing choice follow from the member id.
    """
    staff = " ".join(f"WHEN {i} THEN {sid}" for i, sid in enumerate(shop.cashier_ids))
    kinds = [*shop.consents, ("marketing", None, None)]
    values = ", ".join(f"(?, ?, ?, {order})" for order in range(len(kinds)))
    connection.execute("BEGIN IMMEDIATE")
    count = connection.execute(
        f"WITH kinds(kind, version_id, sha, ord) AS (VALUES {values}) "
        "INSERT INTO consents (member_id, kind, action, agreement_version_id, text_sha256, at, "
        "till_id, staff_id) "
        "SELECT m.id, k.kind, 'accept', k.version_id, k.sha, m.enrolled_at, ?, "
        f"CASE m.id % {len(shop.cashier_ids)} {staff} END "
        "FROM members AS m CROSS JOIN kinds AS k "
        "WHERE k.kind != 'marketing' OR ((m.id + ?) * 2654435761 % 4294967296) % 100 < ? "
        "ORDER BY m.id, k.ord",
        [*(v for kind in kinds for v in kind), shop.ctx.till_id, seed,
         MARKETING_PERCENT]).rowcount
    connection.execute("COMMIT")
    return count


def _merge_history(connection: sqlite3.Connection, plan: DemoPlan, history: HistoryResult,
                   report: DemoReport) -> int:
    """Copy the generator's scratch file in at C speed, then balances and the till's counters.

    Sale lines are the lines of each sale's basket, joined in here by SQL.
    """
    connection.execute("ATTACH DATABASE ? AS history", (plan.scratch,))
    try:
        connection.execute("BEGIN IMMEDIATE")
        rows = 0
        for table, columns in HISTORY_TABLES.items():
            source = (_SALE_LINES_SOURCE if table == "sale_lines" else
                      f"SELECT {', '.join(columns)} FROM history.{table} ORDER BY rowid")
            copied = connection.execute(
                f"INSERT INTO main.{table} ({', '.join(columns)}) {source}").rowcount
            report.counts[table] = copied
            rows += copied
        connection.execute(_MEMBER_STATE_SQL)
        connection.execute("UPDATE tills SET last_seq = ?, last_hash = ?, last_receipt_no = ? "
                           "WHERE id = ?", (history.last_seq, history.last_hash,
                                            history.last_receipt_no, plan.till_id))
        connection.execute("COMMIT")
        _pick_samples(connection, report)
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.execute("DETACH DATABASE history")
    report.counts["top_ups"] = history.top_ups
    return rows


def _pick_samples(connection: sqlite3.Connection, report: DemoReport) -> None:
    """Cards worth scanning: the biggest points balance, stored value, and a newcomer."""
    picks = [
        ("most points", "SELECT id FROM history.member_state "
                        "ORDER BY points_balance DESC LIMIT 1"),
        ("stored value", "SELECT id FROM history.member_state "
                         "ORDER BY stored_value_balance DESC LIMIT 1"),
        ("a few points", "SELECT MIN(id) FROM history.member_state WHERE points_balance > 0"),
        ("new, no purchases yet", "SELECT MAX(id) FROM main.members"),
    ]
    for what, sql in picks:
        row = connection.execute(sql).fetchone()
        if row is None or row[0] is None:
            continue
        card, name, phone = connection.execute(
            "SELECT c.number, m.name, m.phone FROM main.cards AS c JOIN main.members AS m "
            "ON m.id = c.member_id WHERE m.id = ? AND c.status = 'active'", row).fetchone()
        report.samples.append((card, name, what))
        report.phone = report.phone or (phone or "")


def _remove_scratch(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


# -- generating the rows: pure Python, in a second process for big demos ----------------------

HISTORY_TABLES: dict[str, tuple[str, ...]] = {
    "sales": ("id", "till_id", "store_id", "receipt_no", "member_id", "staff_id", "created_at",
              "subtotal", "discount_total", "total", "points_earned", "points_redeemed",
              "points_value", "explanation"),
    "sale_lines": ("sale_id", "line_no", "product_id", "sku", "name", "category", "unit_price",
                   "quantity", "discount", "net", "points_eligible"),
    "payments": ("sale_id", "method", "amount", "reference", "tendered", "change"),
    "ledger_entries": ("id", "store_id", "till_id", "seq", "created_at", "ledger", "kind",
                       "member_uuid", "amount", "sale_id", "refund_id", "staff_id", "reason",
                       "expires_on", "ref_entry_id", "prev_hash", "hash"),
    "point_lots": ("entry_id", "member_uuid", "earned_on", "expires_on", "points", "remaining"),
    "lot_allocations": ("entry_id", "lot_entry_id", "points"),
    "tier_history": ("member_id", "from_tier", "to_tier", "spend", "reason", "at"),
}
# The scratch file's tables: sales remember their basket, basket lines are the pool's lines,
# member_state holds the balances the history left each member with.
SCRATCH_TABLES: dict[str, tuple[str, ...]] = {
    **{t: c for t, c in HISTORY_TABLES.items() if t != "sale_lines"},
    "sales": (*HISTORY_TABLES["sales"], "basket"),
    "basket_lines": ("basket", *HISTORY_TABLES["sale_lines"][1:]),
    "member_state": ("id", "points_balance", "stored_value_balance", "tier_code",
                     "referral_rewarded", "first_purchase_at", "updated_at"),
}
_SALE_LINES_SOURCE = (
    "SELECT s.id, " + ", ".join(f"b.{c}" for c in HISTORY_TABLES["sale_lines"][1:])
    + " FROM history.sales AS s JOIN history.basket_lines AS b ON b.basket = s.basket "
    "ORDER BY s.rowid, b.line_no")
_MEMBER_STATE_SQL = """
UPDATE members SET points_balance = s.points_balance,
       stored_value_balance = s.stored_value_balance, tier_code = s.tier_code,
       referral_rewarded = s.referral_rewarded, first_purchase_at = s.first_purchase_at,
       updated_at = COALESCE(s.updated_at, members.updated_at)
FROM history.member_state AS s WHERE members.id = s.id
"""

# What the generator hands the writer: ("members", rows) batches, then ("history", result)
# once the history is in the scratch file.
Batch = tuple[str, object]


@dataclass(frozen=True)
class DemoPlan:
    """Everything the generator needs; plain data, so it can go to another process."""
    members: int
    seed: int
    salt: bytes
    now_us: int
    store_id: int
    till_id: int
    cashier_ids: tuple[int, ...]
    products: tuple[ProductRow, ...]
    rules: ProgramRules
    tiers: tuple[TierRule, ...]
    scratch: str                 # the file the history is written to, merged, then deleted


@dataclass(frozen=True)
class HistoryResult:
    last_seq: int
    last_hash: str
    last_receipt_no: int
    top_ups: int
    seconds: float


def demo_batches(plan: DemoPlan) -> Iterator[Batch]:
    """The member rows, then the history (into the scratch file): all the demo's Python work.

    It never touches the till database: the writer is the only one who does.
    """
    with _without_gc():
        started = time.perf_counter()
        members = MemberRows(plan)
        history = HistoryBuilder(plan)
        for first in range(1, plan.members + 1, MEMBER_CHUNK):
            rows = members.between(first, min(first + MEMBER_CHUNK, plan.members + 1))
            history.add_members(first, members.last_keys, rows)
            yield "members", rows
        yield "history", history.finish(started)


@contextmanager
def generated(plan: DemoPlan, parallel: bool) -> Iterator[Iterator[Batch]]:
    """The demo's rows: made here, or (big demos) in a second process while this one writes."""
    if not parallel:
        batches = demo_batches(plan)
        try:
            yield batches
        finally:
            batches.close()
        return
    context = multiprocessing.get_context("spawn")  # fork is not on every OS the till runs on
    queue = context.Queue(maxsize=QUEUED_BATCHES)
    process = context.Process(target=_produce, args=(plan, queue), name="demo generator",
                              daemon=True)
    process.start()
    try:
        yield _received(process, queue)
    finally:
        if process.is_alive():  # only when the writer failed: the rows are not wanted
            process.terminate()
        process.join()


def _produce(plan: DemoPlan, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """The second process: generate and hand over; a failure travels as its traceback."""
    try:
        for batch in demo_batches(plan):
            queue.put(batch)
    except BaseException:
        queue.put(("error", traceback.format_exc()))
        raise


def _received(process: multiprocessing.process.BaseProcess,
              queue: multiprocessing.Queue) -> Iterator[Batch]:  # type: ignore[type-arg]
    while True:
        try:
            kind, payload = queue.get(timeout=1)
        except Empty:
            if not process.is_alive():
                raise RuntimeError("the demo's generator process stopped without a word") from None
            continue
        if kind == "error":
            raise RuntimeError(f"the demo's generator process failed:\n{payload}")
        yield kind, payload
        if kind == "history":
            return


class MemberRows:
    """Member rows in id order: details from the seed, UUIDs from the per-run salt."""

    def __init__(self, plan: DemoPlan) -> None:
        self.rng = random.Random(f"{plan.seed}/members")
        self.keys = KeyStream(plan.seed, plan.salt)
        self.last_keys: list[int] = []
        self.names = NameMaker()
        self.seed, self.timeline = plan.seed, Timeline(plan.now_us, plan.members)
        basic = min(plan.tiers, key=lambda t: t.threshold).code
        self.constants = (basic, plan.till_id)
        first_day = date(1950, 1, 1).toordinal()
        self.birthdays = [date.fromordinal(day).isoformat()
                          for day in range(first_day, date(2008, 12, 31).toordinal())]

    def between(self, first: int, last: int) -> list[tuple[object, ...]]:
        """Rows first..last-1; calls must follow each other (the keys are one stream)."""
        getrandbits, seed, timeline = self.rng.getrandbits, self.seed, self.timeline
        make_name, birthdays, constants = self.names.make, self.birthdays, self.constants
        email_cut, only_cut = EMAIL_SHARE * 256, EMAIL_ONLY_SHARE * 256
        birthday_cut = BIRTHDAY_SHARE * 256
        keys, uuids = self.keys.take(last - first)
        rows = []
        for member_id, key, uuid_bits in zip(range(first, last), keys, uuids, strict=True):
            bits = getrandbits(64)
            name, local = make_name(bits)
            email_only = (bits >> 42 & 255) < only_cut
            email = (f"{local}.{member_id}@{EMAIL_DOMAINS[member_id % 3]}"
                     if email_only or (bits >> 50 & 255) < email_cut else None)
            birthday = (birthdays[getrandbits(32) % len(birthdays)]
                        if (bits >> 56) < birthday_cut else None)
            enrolled = timeline.enrolled_us(member_id, enrolment_jitter(key))
            rows.append((member_id, time_uuid(enrolled, uuid_bits), name,
                         None if email_only else phone_number(member_id, seed), email, birthday,
                         referral_code(member_id, seed), referrer_of(member_id, key),
                         db_datetime(enrolled), *constants))
        self.last_keys = keys
        return rows


SALES_PER_MEMBER = (1, 2, 3)
SALES_WEIGHTS = _cumulative([45, 33, 22])
REGULAR_SHARE = 0.04         # history members who shop every few weeks (silver, some gold)
BIG_SPENDER_SHARE = 0.003    # ...and a few who buy the baijiu and the rice cookers (to platinum)
PREMIUM_BASKETS = 500        # baskets with one of the dearest products, which big spenders buy
DEAR_PRODUCTS = 12
BASKETS = 50_000             # sales draw their basket from this many generated baskets
LINES_PER_SALE = (1, 2, 3, 3, 4, 4, 5)
TOP_UP_AMOUNTS = (10_000, 20_000, 30_000, 50_000, 100_000)
REDEEM_FROM = 500            # members redeem once they hold this many points...
REDEEM_SHARE = 0.3           # ...on this share of their sales
HOUR_US = 3_600_000_000
TOP_UP, SALE = 0, 1          # event kinds; a top-up in the same microsecond goes first
QUEUED_BATCHES = 4           # how far the generator may run ahead of the writer


@dataclass(slots=True)
class OpenLot:
    entry_id: str
    member_uuid: str
    earned_on: date
    expires_on: date
    points: int
    remaining: int


@dataclass(slots=True)
class Account:
    """One member's balances, lots and tier while history is replayed in time order."""
    member_id: int
    uuid: str
    referrer_id: int | None
    tier: TierRule
    points: int = 0
    stored_value: int = 0
    lots: list[OpenLot] = field(default_factory=list)
    spend: list[tuple[int, int]] = field(default_factory=list)  # (when, total) in the window
    spend_total: int = 0
    rewarded: bool = False
    first_purchase: str | None = None
    updated: str | None = None


def canonical_entry(entry_id: str, created_at: str, ledger: str, kind: str, member: str,
                    amount: int, sale_id: str | None, staff_id: int | None, reason: str | None,
                    expires_on: str | None, seq: int, store_id: int, till_id: int) -> bytes:
    """core/chain.py canonical() for the entries written here, without json.dumps's cost.

    Keys in sorted order, no spaces; every text value here is plain ASCII without quotes.
    HistoryBuilder checks its first entry against canonical() itself.
    """
    def text(value: str | None) -> str:
        return "null" if value is None else f'"{value}"'

    return (f'{{"amount":{amount},"created_at":"{created_at}","expires_on":{text(expires_on)},'
            f'"id":"{entry_id}","kind":"{kind}","ledger":"{ledger}","member_id":"{member}",'
            f'"reason":{text(reason)},"ref_entry_id":null,"refund_id":null,'
            f'"sale_id":{text(sale_id)},"seq":{seq},'
            f'"staff_id":{"null" if staff_id is None else staff_id},"store_id":{store_id},'
            f'"till_id":{till_id}}}').encode()


class HistoryBuilder:
    """Replays every member's purchases in one global time order, as the till would have.

    One pass in time order gives each ledger entry its sequence number and hash as it is made,
    and each member's lots and tier are exactly what checkout would have seen at that moment.
    """

    def __init__(self, plan: DemoPlan) -> None:
        self.plan, self.rules = plan, plan.rules
        self.rng = random.Random(f"{plan.seed}/history")
        self.ids = random.Random(plan.salt + b"/history ids")  # fresh every run, like members
        self.tiers = sorted(plan.tiers, key=lambda t: t.threshold)
        self.timeline = Timeline(plan.now_us, plan.members)
        self.events: list[tuple[int, int, int, int, int]] = []
        self.member_uuids: list[str] = []       # of every member, by id - 1 (referrers)
        self.referrers: dict[int, int | None] = {}
        self.accounts: dict[int, Account] = {}
        self.baskets: list[tuple[int, int]] = []    # (total, points-eligible part)
        self.weights = _cumulative([1 / p.price ** 0.75 for p in plan.products])
        self.out: dict[str, list[tuple[object, ...]]] = {t: [] for t in SCRATCH_TABLES}
        self.lots: list[OpenLot] = []
        self.lot_days: dict[int, tuple[date, date, str]] = {}
        self.window_us = plan.rules.tier_window_days * DAY_US
        self.tier_lines = {t.code: "" if t.multiplier_percent == 100 else ", " + json.dumps(
            f"x{Fraction(t.multiplier_percent, 100)} for tier {t.name}", ensure_ascii=False)
            for t in plan.tiers}
        self.seq, self.head, self.receipt_no = 0, GENESIS_HASH, 0
        dear = sorted(plan.products, key=lambda p: p.price)[-DEAR_PRODUCTS:]
        for _ in range(BASKETS):
            self.add_basket([])
        self.premium = [self.add_basket([self.rng.choice(dear)]) for _ in range(PREMIUM_BASKETS)]

    def finish(self, started: float) -> HistoryResult:
        """Replay every planned sale and top-up in time order, then write the scratch file."""
        self.events.sort()
        for at, kind, member_id, staff_id, value in self.events:
            if kind == SALE:
                self.sell(at, member_id, staff_id, value)
            else:
                self.top_up(at, member_id, staff_id, value)
        self.out["point_lots"] = [
            (lot.entry_id, lot.member_uuid, lot.earned_on.isoformat(),
             lot.expires_on.isoformat(), lot.points, lot.remaining) for lot in self.lots]
        self.out["member_state"] = list(self.member_state())
        self.write_scratch()
        return HistoryResult(self.seq, self.head, self.receipt_no,
                             sum(1 for event in self.events if event[1] == TOP_UP),
                             time.perf_counter() - started)

    def write_scratch(self) -> None:
        _remove_scratch(self.plan.scratch)
        with closing(sqlite3.connect(self.plan.scratch, isolation_level=None)) as connection:
            connection.execute("PRAGMA journal_mode=OFF")  # a scratch file, deleted after use
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("BEGIN")
            for table, columns in SCRATCH_TABLES.items():
                connection.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
                connection.executemany(
                    f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})",
                    self.out[table])
            connection.execute("CREATE INDEX basket_lines_basket ON basket_lines (basket, "
                               "line_no)")
            connection.execute("COMMIT")

    # -- what happens, before any balance ----------------------------------------------------

    def add_basket(self, extra: list[ProductRow]) -> int:
        """One basket of the pool: cheap items often, a bottle of Moutai rarely."""
        rng, products = self.rng, self.plan.products
        quantities: dict[ProductRow, int] = {}
        picked = rng.choices(products, cum_weights=self.weights, k=rng.choice(LINES_PER_SALE))
        for product in extra + picked:
            quantity = 1 if rng.random() < 0.8 else rng.choice((2, 2, 3))
            quantities[product] = quantities.get(product, 0) + quantity
        basket, total, eligible = len(self.baskets), 0, 0
        for line_no, (p, quantity) in enumerate(quantities.items(), start=1):
            self.out["basket_lines"].append((basket, line_no, p.id, p.sku, p.name, p.category,
                                             p.price, quantity, 0, p.price * quantity,
                                             p.eligible))
            total += p.price * quantity
            eligible += p.price * quantity if p.eligible else 0
        self.baskets.append((total, eligible))
        return basket

    def add_members(self, first: int, keys: list[int], rows: list[tuple[object, ...]]) -> None:
        """Plan the sales and top-ups of the shoppers among members first, first + 1, ..."""
        plan, rng = self.plan, self.rng
        oldest, newest = plan.now_us - HISTORY_DAYS * DAY_US, plan.now_us - HOUR_US
        cashiers = plan.cashier_ids
        events = self.events
        for member_id, key, row in zip(range(first, first + len(rows)), keys, rows,
                                       strict=True):
            self.member_uuids.append(str(row[1]))
            if not has_history(key):
                continue
            low = max(self.timeline.enrolled_us(member_id, enrolment_jitter(key)) + HOUR_US,
                      oldest)
            if low >= newest:
                continue
            self.referrers[member_id] = referrer_of(member_id, key)
            kind = rng.random()
            big = kind < BIG_SPENDER_SHARE
            count = (rng.randrange(8, 26) if big else rng.randrange(6, 16)
                     if kind < REGULAR_SHARE
                     else rng.choices(SALES_PER_MEMBER, cum_weights=SALES_WEIGHTS)[0])
            for _ in range(count):
                basket = rng.choice(self.premium) if big else rng.randrange(BASKETS)
                events.append((self.moment(low, newest), SALE, member_id, rng.choice(cashiers),
                               basket))
            if rng.random() < TOP_UP_SHARE:
                events.append((self.moment(low, newest), TOP_UP, member_id,
                               rng.choice(cashiers), rng.choice(TOP_UP_AMOUNTS)))

    def moment(self, low: int, high: int) -> int:
        return min(max(shop_hours(self.rng.randrange(low, high)), low), high)

    # -- replaying, as CheckoutService and BalanceService would have written it --------------

    def account(self, member_id: int) -> Account:
        account = self.accounts.get(member_id)
        if account is None:
            account = Account(member_id, self.member_uuids[member_id - 1],
                              self.referrers.get(member_id), self.tiers[0])
            self.accounts[member_id] = account
        return account

    def new_id(self, moment_us: int) -> str:
        return time_uuid(moment_us, self.ids.getrandbits(74))

    def append(self, account: Account, at: Stamp, ledger: str, kind: str, amount: int,
               sale_id: str | None = None, staff_id: int | None = None,
               reason: str | None = None, expires_on: str | None = None) -> str:
        """One ledger entry with its place in the till's chain (LedgerWriter._append)."""
        plan = self.plan
        self.seq += 1
        entry_id, created = self.new_id(at.us), at.ledger
        body = canonical_entry(entry_id, created, ledger, kind, account.uuid, amount, sale_id,
                               staff_id, reason, expires_on, self.seq, plan.store_id,
                               plan.till_id)
        row = (entry_id, plan.store_id, plan.till_id, self.seq, created, ledger, kind,
               account.uuid, amount, sale_id, None, staff_id, reason, expires_on, None)
        if self.seq == 1:
            check_canonical(body, row)
        digest = hashlib.sha256(self.head.encode() + body).hexdigest()
        self.out["ledger_entries"].append((*row, self.head, digest))
        self.head = digest
        return entry_id

    def lot_dates(self, day: int) -> tuple[date, date, str]:
        """(earned on, expires on, its ISO text) for a UTC day number, worked out once a day."""
        dates = self.lot_days.get(day)
        if dates is None:
            earned = EPOCH.date() + timedelta(days=day)
            expires = lot_expiry(earned, self.rules)
            dates = self.lot_days[day] = (earned, expires, expires.isoformat())
        return dates

    def earn(self, account: Account, at: Stamp, kind: str, points: int, sale_id: str,
             staff_id: int | None = None, reason: str | None = None) -> None:
        earned, expires, expires_text = self.lot_dates(at.day)
        entry_id = self.append(account, at, POINTS, kind, points, sale_id, staff_id, reason,
                               expires_text)
        lot = OpenLot(entry_id, account.uuid, earned, expires, points, points)
        self.lots.append(lot)
        account.lots.append(lot)
        account.points += points

    def top_up(self, at: int, member_id: int, staff_id: int, amount: int) -> None:
        account = self.account(member_id)
        reason = f"card:T{self.rng.randrange(10 ** 8):08d}" if self.rng.random() < 0.5 else "cash"
        self.append(account, Stamp.of(at), STORED_VALUE, "top_up", amount, staff_id=staff_id,
                    reason=reason)
        account.stored_value += amount

    def sell(self, at: int, member_id: int, staff_id: int, basket: int) -> None:
        """As CheckoutService: redeem, stored value, earn, referral rewards, tier review."""
        rules, rng = self.rules, self.rng
        account = self.account(member_id)
        stamp = Stamp.of(at)
        total, eligible = self.baskets[basket]
        self.receipt_no += 1
        sale_id = self.new_id(at)
        redeemed = value = stored = 0
        if account.points >= REDEEM_FROM and rng.random() < REDEEM_SHARE:
            redeemed = max_redeemable_points(account.points, total, rules) // 100 * 100
            value = self.redeem(account, stamp, redeemed, sale_id, staff_id) if redeemed else 0
        if account.stored_value and rng.random() < 0.7:
            stored = min(account.stored_value, total - value)
            self.append(account, stamp, STORED_VALUE, "pay", -stored, sale_id, staff_id)
            account.stored_value -= stored
        tier = account.tier
        earned = (eligible * (total - value) * rules.earn_points_per_major
                  * tier.multiplier_percent // (total * 10_000))
        if earned:
            self.earn(account, stamp, "earn", earned, sale_id, staff_id)
        rewards = self.reward_referral(account, stamp, total, sale_id)
        self.out["sales"].append((
            sale_id, self.plan.till_id, self.plan.store_id, self.receipt_no, member_id,
            staff_id, stamp.db, total, 0, total, earned, redeemed, value,
            self.explain(tier, eligible, total, value, rewards), basket))
        self.out["payments"] += self.payments(sale_id, total, redeemed, value, stored)
        account.first_purchase = account.first_purchase or stamp.db
        account.updated = stamp.db
        self.review_tier(account, at, total, stamp.db)

    def redeem(self, account: Account, at: Stamp, points: int, sale_id: str,
               staff_id: int) -> int:
        """Spend points from lots, soonest expiry first; return the money they paid."""
        entry_id = self.append(account, at, POINTS, "redeem", -points, sale_id, staff_id)
        open_lots = {lot.entry_id: lot for lot in account.lots if lot.remaining > 0}
        allocations, shortfall = consume_lots(
            [Lot(lot.entry_id, lot.expires_on, lot.remaining) for lot in open_lots.values()],
            points)
        assert shortfall == 0, "a redemption never exceeds the balance"
        for allocation in allocations:
            open_lots[allocation.lot_id].remaining -= allocation.points
            self.out["lot_allocations"].append((entry_id, allocation.lot_id, allocation.points))
        account.points -= points
        return redemption_value(points, self.rules)

    def reward_referral(self, account: Account, at: Stamp, total: int, sale_id: str) -> int:
        """Both members earn on the referred member's first sale of the minimum or more."""
        rules = self.rules
        if (account.referrer_id is None or account.rewarded
                or total < rules.referral_min_purchase):
            return 0
        account.rewarded = True
        given = 0
        for who, points in ((account, rules.referral_reward_new_member),
                            (self.account(account.referrer_id), rules.referral_reward_referrer)):
            if points:
                self.earn(who, at, "referral", points, sale_id,
                          reason=f"referral of {account.uuid}")
                given += points
        return given

    def explain(self, tier: TierRule, eligible: int, total: int, value: int,
                rewards: int) -> str:
        """The sale's explanation as checkout records it (no promotions back then)."""
        earn = self.rules.earn_points_per_major
        base = eligible * (total - value) * earn // (total * 100)
        paid = f', "{format_money(value)} paid with points earns no points"' if value else ""
        return (f'{{"request": "demo history", "promotions": [], "points": ["{base} base points '
                f'({earn} per 1.00 of eligible spend)"{self.tier_lines[tier.code]}{paid}], '
                f'"referral_rewards": {rewards}}}')

    def payments(self, sale_id: str, total: int, redeemed: int, value: int, stored: int
                 ) -> list[tuple[object, ...]]:
        """Stored value first, the rest in cash (rounded-up notes) or by card, then points."""
        rng = self.rng
        rows: list[tuple[object, ...]] = []
        if stored:
            rows.append((sale_id, "stored_value", stored, None, None, None))
        rest = total - value - stored
        if rest > 0 and rng.random() < 0.55:
            tendered = -(-rest // 1000) * 1000 + rng.choice((0, 0, 0, 5000, 10_000))
            rows.append((sale_id, "cash", rest, None, tendered, tendered - rest))
        elif rest > 0:
            rows.append((sale_id, "card", rest, f"T{rng.randrange(10 ** 8):08d}", None, None))
        if value:
            rows.append((sale_id, "points", value, f"{redeemed} points", None, None))
        return rows

    def review_tier(self, account: Account, at: int, total: int, when: str) -> None:
        """As services/tiers.py evaluate_member right after the sale (rolling spend)."""
        spend = account.spend
        spend.append((at, total))
        account.spend_total += total
        while spend[0][0] <= at - self.window_us:
            account.spend_total -= spend.pop(0)[1]
        earned = self.tiers[0]
        for tier in self.tiers:
            if account.spend_total >= tier.threshold:
                earned = tier
        if earned.code == account.tier.code:
            return
        decision = decide_tier(self.tiers, account.spend_total, self.rules.tier_window_days)
        direction = "promoted" if earned.threshold > account.tier.threshold else "demoted"
        self.out["tier_history"].append((account.member_id, account.tier.code, earned.code,
                                         account.spend_total,
                                         f"{direction}: {decision.reason}", when))
        account.tier = earned

    def member_state(self) -> Iterator[tuple[object, ...]]:
        for a in self.accounts.values():
            yield (a.member_id, a.points, a.stored_value, a.tier.code, int(a.rewarded),
                   a.first_purchase, a.updated)


class Stamp(NamedTuple):
    """One instant as the sales table, the ledger and the lots each want it."""
    db: str        # sales.created_at: naive UTC as SQLAlchemy stores it
    ledger: str    # ledger_entries.created_at: services/ledger.py iso_utc
    day: int       # UTC day number, for the lot's earned and expiry dates
    us: int        # microseconds since 1970, for time-ordered ids

    @classmethod
    def of(cls, moment_us: int) -> Stamp:
        moment = EPOCH + timedelta(microseconds=moment_us)
        return cls(moment.isoformat(" ", "microseconds"),
                   moment.isoformat("T", "microseconds") + "Z", moment_us // DAY_US, moment_us)


def check_canonical(body: bytes, row: tuple[object, ...]) -> None:
    """canonical_entry must keep agreeing with core.chain.canonical (checked once per run)."""
    fields = dict(zip(HISTORY_TABLES["ledger_entries"], row, strict=False))
    fields["member_id"] = fields.pop("member_uuid")
    if body != canonical(fields):
        raise AssertionError("canonical_entry no longer matches core.chain.canonical")


# -- the summary ------------------------------------------------------------------------------

def _summary(report: DemoReport, seconds: float) -> str:
    counts = report.counts
    lines = [
        f"Demo chain store created in {seconds:.1f} s: {report.members:,} members, "
        f"{report.rows:,} rows written ({report.rows / seconds:,.0f} rows/s)",
        f"  store {STORE.store_code} {STORE.store_name}, till {STORE.till_number}; "
        f"second store {SECOND_STORE[0]} {SECOND_STORE[1]} (till {SECOND_TILL_NUMBER})",
        f"  {report.products} products in {len(CATALOG)} categories, "
        f"{report.promotions} promotions, tiers basic/silver/gold/platinum",
        f"  history: {counts.get('sales', 0):,} sales ({counts.get('sale_lines', 0):,} lines), "
        f"{counts.get('top_ups', 0):,} top-ups, {counts.get('ledger_entries', 0):,} ledger "
        f"entries, {counts.get('point_lots', 0):,} point lots, "
        f"{counts.get('tier_history', 0):,} tier changes",
        "Staff (sign in with the id and PIN):",
        *(f"  id {sid:<3} {_pad(name, 12)} {role:<8} PIN {pin}"
          for sid, name, role, pin in report.staff),
        "Cards to scan or type:",
        *(f"  {card}  {name} ({what})" for card, name, what in report.samples),
        f"Phone to search: {report.phone} (or its first 7 digits)",
    ]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a Hanzi takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)
