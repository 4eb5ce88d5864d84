"""The installers: static checks of every installer file, the scripts run for real where this
machine can (install.sh into a scratch root, pg-backup.sh against a throwaway PostgreSQL, nginx
-t, systemd-analyze verify, desktop-file-validate), the `smoke` command from source, and one
slow test that builds the frozen till with installers/build.sh and runs the built binary.

Windows (build.ps1, the Inno Setup script) cannot run here: those are checked statically
against Inno Setup's documented sections and parameters.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path

import pytest

import loyalty_pos
from loyalty_pos import __version__

ROOT = Path(__file__).resolve().parents[2]
INSTALLERS = ROOT / "installers"
LINUX = INSTALLERS / "linux"
HEADOFFICE = INSTALLERS / "headoffice"
SPEC = INSTALLERS / "loyalty_pos.spec"
ISS = INSTALLERS / "windows" / "loyalty-pos.iss"
DESKTOP = LINUX / "loyalty-pos.desktop"
UDEV_RULES = LINUX / "60-loyalty-pos-scanner.rules"
SHELL_SCRIPTS = [INSTALLERS / "build.sh", LINUX / "install.sh", LINUX / "uninstall.sh",
                 HEADOFFICE / "pg-backup.sh", HEADOFFICE / "upgrade.sh"]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def run(*args: str | Path, timeout: float = 120, check: bool = True,
        **kwargs) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            timeout=timeout, check=False, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} -> {result.returncode}\n"
                             f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}")
    return result


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


# -- the version -----------------------------------------------------------------------------


def test_one_version_everywhere() -> None:
    """The installers name their files after loyalty_pos.__version__ (--version, the About box);
    pip's metadata comes from pyproject.toml: they must agree."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__), "Inno Setup's VersionInfoVersion"
    extras = project["optional-dependencies"]
    assert any(r.startswith("pyinstaller") for r in extras["build"])


# -- the PyInstaller spec --------------------------------------------------------------------


def test_spec_bundles_what_the_frozen_till_needs() -> None:
    source = SPEC.read_text(encoding="utf-8")
    ast.parse(source)  # the spec is Python
    # migrations (alembic's env.py and versions/*.py travel as data) and resources, at the
    # paths loyalty_pos/paths.py resolves from sys._MEIPASS
    assert 'tree(ROOT / "migrations", "migrations")' in source
    assert 'tree(ROOT / "resources", "resources")' in source
    for hidden in ("alembic.op", "alembic.context", "alembic.ddl.sqlite",
                   "sqlalchemy.dialects.sqlite", "logging.config", "multiprocessing.spawn"):
        assert f'"{hidden}"' in source, hidden
    assert 'collect_submodules("loyalty_pos"' in source
    assert 'collect_submodules("reportlab")' in source
    assert 'collect_data_files("reportlab")' in source and 'collect_data_files("escpos")' in source
    assert "pyinstaller_hooks" in source and '"backends": ["Agg"]' in source
    assert "installers\" / \"launcher.py" in source.replace("'", '"')
    # Windows: a console CLI and a window-only till in one folder
    assert 'name=NAME, console=True' in source and 'name="LoyaltyPOS", console=False' in source
    for icon in ("loyalty-pos.png", "loyalty-pos.ico"):
        assert (INSTALLERS / "assets" / icon).stat().st_size > 1000
    # every data folder the spec names exists
    for folder in ("migrations/till/versions", "resources/translations", "resources/styles",
                   "resources/agreements"):
        assert (ROOT / folder).is_dir(), folder


def test_spec_tree_skips_sources_and_keeps_what_runs() -> None:
    """Run the spec's own tree() on the real folders (the spec's helpers, executed alone)."""
    source = SPEC.read_text(encoding="utf-8")
    module = ast.parse(source)
    wanted = [node for node in module.body
              if (isinstance(node, ast.FunctionDef) and node.name == "tree")
              or (isinstance(node, ast.Assign)
                  and any(getattr(t, "id", "") in ("SKIP_SUFFIXES", "SKIP_NAMES")
                          for t in node.targets))]
    namespace: dict[str, object] = {"Path": Path}
    exec(compile(ast.Module(wanted, []), str(SPEC), "exec"), namespace)
    pairs = namespace["tree"](ROOT / "migrations", "migrations")  # type: ignore[operator]
    names = {Path(src).relative_to(ROOT).as_posix(): dest for src, dest in pairs}
    assert names["migrations/till/env.py"] == str(Path("migrations/till"))
    assert any(n.startswith("migrations/till/versions/0001") for n in names)
    assert "migrations/till/script.py.mako" in names
    assert not any("__pycache__" in n for n in names)
    resources = [Path(src).name for src, _ in
                 namespace["tree"](ROOT / "resources", "resources")]  # type: ignore[operator]
    assert "loyalty_pos_zh_CN.qm" in resources and "till.qss" in resources
    assert "loyalty_pos_zh_CN.ts" not in resources and "update_translations.py" not in resources


def test_launcher_calls_freeze_support_before_anything_else() -> None:
    module = ast.parse((INSTALLERS / "launcher.py").read_text(encoding="utf-8"))
    [main_block] = [n for n in module.body if isinstance(n, ast.If)]
    first = main_block.body[0]
    assert isinstance(first, ast.Expr) and ast.unparse(first) == "multiprocessing.freeze_support()"
    assert "from loyalty_pos.cli import main" in ast.unparse(main_block)


def test_qt_selection_keeps_only_the_plugins_a_till_needs() -> None:
    sys.path.insert(0, str(INSTALLERS / "pyinstaller_hooks"))
    try:
        import qt_selection
    finally:
        sys.path.remove(str(INSTALLERS / "pyinstaller_hooks"))
    keep = qt_selection.keep_plugin
    plugins = "PySide6/Qt/plugins"
    assert keep(f"{plugins}/platforms", "libqxcb.so")
    assert keep(f"{plugins}/platforms", "libqoffscreen.so")
    assert keep(f"{plugins}/platforms", "qwindows.dll")
    assert keep(f"{plugins}/imageformats", "libqico.so")
    assert not keep(f"{plugins}/platforms", "libqwayland.so")
    assert not keep(f"{plugins}/platformthemes", "libqgtk3.so")
    assert not keep(f"{plugins}/tls", "libqopensslbackend.so")
    assert keep("PySide6/Qt/lib", "libQt6Core.so.6")  # not a plugin: kept
    assert qt_selection.till_languages(ROOT) == ["zh_CN"]
    assert qt_selection.keep_translation("/x/qtbase_zh_CN.qm", ["zh_CN"])
    assert not qt_selection.keep_translation("/x/qtbase_de.qm", ["zh_CN"])
    for module in ("QtCore", "QtGui", "QtWidgets"):
        hook = (INSTALLERS / "pyinstaller_hooks" / f"hook-PySide6.{module}.py").read_text()
        assert "add_qt6_dependencies(__file__)" in hook and "select(" in hook


# -- Linux: desktop entry, udev rule, shell scripts ------------------------------------------


def test_desktop_entry() -> None:
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = run(validator, DESKTOP, check=False)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    entry = configparser.ConfigParser(interpolation=None, strict=True)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    assert entry.sections() == ["Desktop Entry"]
    values = entry["Desktop Entry"]
    assert values["Type"] == "Application"
    assert values["Name"] == "Loyalty POS"
    assert values["Terminal"] == "false"
    # where install.sh puts the program and the icon
    assert values["Exec"] == "/opt/loyalty-pos/current/loyalty-pos"
    assert values["Icon"] == "loyalty-pos"
    assert values["Categories"].endswith(";")
    install = (LINUX / "install.sh").read_text()
    assert "icons/hicolor/256x256/apps/loyalty-pos.png" in install
    assert 'ln -sfn "$VERSION" "$PREFIX/current"' in install


UDEV_MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM",
                   "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR", "ATTRS", "ENV", "TAG", "TAGS",
                   "TEST", "PROGRAM", "RESULT"}
UDEV_ASSIGN_KEYS = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "SECLABEL", "ATTR", "SYSCTL",
                    "ENV", "TAG", "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS"}
UDEV_TOKEN = re.compile(r'\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*')


def parse_udev_rule(line: str) -> list[tuple[str, str | None, str, str]]:
    tokens = []
    for part in line.split(","):
        match = UDEV_TOKEN.fullmatch(part)
        assert match, f"not a udev key: {part!r} in {line!r}"
        key, attribute, operator, value = match.groups()
        if operator in ("==", "!="):
            assert key in UDEV_MATCH_KEYS, f"{key} cannot be matched ({line!r})"
        else:
            assert key in UDEV_ASSIGN_KEYS, f"{key} cannot be assigned ({line!r})"
        tokens.append((key, attribute, operator, value))
    return tokens


def test_udev_rule_gives_the_dialout_group_the_scanner_ports() -> None:
    udevadm = shutil.which("udevadm")
    if udevadm and run(udevadm, "verify", "--help", check=False).returncode == 0:
        run(udevadm, "verify", UDEV_RULES)  # systemd 254+
    rules = [line for line in UDEV_RULES.read_text().splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    assert len(rules) >= 2
    for line in rules:
        tokens = parse_udev_rule(line)
        as_dict = {(k, a, op): v for k, a, op, v in tokens}
        assert as_dict[("SUBSYSTEM", None, "==")] == "tty"
        assert as_dict[("GROUP", None, "=")] == "dialout"
        assert as_dict[("MODE", None, "=")] == "0660"
        vendor = as_dict.get(("ATTRS", "idVendor", "=="))
        assert vendor is None or re.fullmatch(r"[0-9a-f]{4}", vendor)
    assert any(("KERNEL", None, "==", "ttyACM[0-9]*|ttyUSB[0-9]*") in parse_udev_rule(line)
               for line in rules)
    # the parser itself refuses what udev would refuse
    with pytest.raises(AssertionError):
        parse_udev_rule('SUBSYSTEM="tty", GROUP=="dialout"')
    with pytest.raises(AssertionError):
        parse_udev_rule('SUBSYSTEM=="tty" GROUP="dialout"')


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: p.name)
def test_shell_scripts_parse_and_are_executable(script: Path) -> None:
    run("bash", "-n", script)
    assert os.access(script, os.X_OK), f"{script} is not executable"
    assert script.read_text().startswith("#!")
    if shutil.which("shellcheck"):
        run("shellcheck", "-S", "warning", script)


def fake_release(where: Path, version: str) -> Path:
    """An unpacked tarball as build.sh lays it out, with a stand-in program."""
    stage = where / f"loyalty-pos-{version}"
    (stage / "app" / "_internal").mkdir(parents=True)
    program = stage / "app" / "loyalty-pos"
    program.write_text(f"#!/bin/sh\necho loyalty-pos {version}\n")
    program.chmod(0o755)
    for source in (LINUX / "install.sh", LINUX / "uninstall.sh", DESKTOP, UDEV_RULES,
                   INSTALLERS / "assets" / "loyalty-pos.png"):
        shutil.copy2(source, stage)
    (stage / "VERSION").write_text(version + "\n")
    return stage


def test_install_upgrade_and_uninstall_into_a_scratch_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    user_data = root / "home" / "cashier" / ".local" / "share" / "loyalty-pos"
    user_data.mkdir(parents=True)
    (user_data / "till.sqlite").write_bytes(b"the shop's data")
    (user_data / "till.ini").write_text("[ui]\nlanguage=zh_CN\n")

    old = fake_release(tmp_path / "r1", "0.1.0")
    run(old / "install.sh", "--root", root)
    command = root / "usr" / "local" / "bin" / "loyalty-pos"
    assert run(command).stdout.strip() == "loyalty-pos 0.1.0"
    for path in ("usr/share/applications/loyalty-pos.desktop",
                 "usr/share/icons/hicolor/256x256/apps/loyalty-pos.png",
                 "etc/udev/rules.d/60-loyalty-pos-scanner.rules"):
        assert (root / path).is_file(), path

    new = fake_release(tmp_path / "r2", "0.2.0")
    run(new / "install.sh", "--root", root)
    assert run(command).stdout.strip() == "loyalty-pos 0.2.0"
    assert os.readlink(root / "opt" / "loyalty-pos" / "current") == "0.2.0"
    assert (root / "opt" / "loyalty-pos" / "0.1.0" / "loyalty-pos").exists()  # to go back to
    # the upgrade never touched the till's database or settings
    assert (user_data / "till.sqlite").read_bytes() == b"the shop's data"
    assert "zh_CN" in (user_data / "till.ini").read_text()

    run(new / "uninstall.sh", "--root", root)
    assert not (root / "opt" / "loyalty-pos").exists()
    assert not command.exists() and not command.is_symlink()
    assert (user_data / "till.sqlite").exists()


# -- Windows: Inno Setup script and build.ps1 (not runnable here) ----------------------------

ISS_SECTIONS = {"Setup", "Languages", "Tasks", "InstallDelete", "Files", "Icons", "Run",
                "UninstallDelete", "UninstallRun", "Dirs", "Registry", "INI", "Types",
                "Components", "Messages", "CustomMessages", "Code"}
# parameters each entry section accepts (Inno Setup 6 documentation, common parameters
# Languages/Check/Tasks/Components/MinVersion/OnlyBelowVersion/BeforeInstall/AfterInstall too)
COMMON = {"Languages", "Check", "Tasks", "Components", "MinVersion", "OnlyBelowVersion",
          "BeforeInstall", "AfterInstall"}
ISS_PARAMETERS = {
    "Languages": {"Name", "MessagesFile", "LicenseFile", "InfoBeforeFile", "InfoAfterFile"},
    "Tasks": {"Name", "Description", "GroupDescription", "Flags"} | COMMON,
    "InstallDelete": {"Type", "Name"} | COMMON,
    "UninstallDelete": {"Type", "Name"} | COMMON,
    "Files": {"Source", "DestDir", "DestName", "Excludes", "ExternalSize", "CopyMode",
              "Attribs", "Permissions", "FontInstall", "StrongAssemblyName", "Flags"} | COMMON,
    "Icons": {"Name", "Filename", "Parameters", "WorkingDir", "HotKey", "Comment",
              "IconFilename", "IconIndex", "AppUserModelID", "AppUserModelToastActivatorCLSID",
              "Flags"} | COMMON,
    "Run": {"Filename", "Description", "Parameters", "WorkingDir", "StatusMsg", "RunOnceId",
            "Verb", "Flags"} | COMMON,
}
ISS_REQUIRED = {"Files": {"Source", "DestDir"}, "Icons": {"Name", "Filename"},
                "Run": {"Filename"}, "InstallDelete": {"Type", "Name"},
                "UninstallDelete": {"Type", "Name"}, "Tasks": {"Name", "Description"},
                "Languages": {"Name", "MessagesFile"}}
ISS_FLAGS = {
    "Files": {"ignoreversion", "recursesubdirs", "createallsubdirs", "restartreplace",
              "uninsneveruninstall", "onlyifdoesntexist", "skipifsourcedoesntexist"},
    "Run": {"nowait", "postinstall", "skipifsilent", "shellexec", "runascurrentuser",
            "unchecked", "waituntilterminated", "runhidden"},
    "Tasks": {"unchecked", "checkedonce", "exclusive", "restart", "dontinheritcheck"},
    "Icons": {"createonlyiffileexists", "excludefromshowinnewinstall", "preventpinning",
              "runminimized", "runmaximized", "uninsneveruninstall", "foldershortcut"},
}
ISS_DELETE_TYPES = {"files", "filesandordirs", "dirifempty"}


def parse_iss(text: str) -> tuple[list[str], dict[str, list[str]]]:
    """(preprocessor lines, {section: lines}); comments and blank lines dropped."""
    directives: list[str] = []
    sections: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("#"):
            directives.append(line)
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = header.group(1)
            assert current in ISS_SECTIONS, f"unknown section [{current}]"
            assert current not in sections, f"[{current}] twice"
            sections[current] = []
            continue
        assert current is not None, f"line outside a section: {line}"
        sections[current].append(line)
    return directives, sections


def split_entry(line: str) -> dict[str, str]:
    """'Name: "x"; Flags: a b' -> {Name: x, Flags: 'a b'}; quotes may hold ';'."""
    params: dict[str, str] = {}
    for match in re.finditer(r'\s*(\w+):\s*("(?:[^"]|"")*"|[^;]*)\s*(?:;|$)', line):
        name, value = match.group(1), match.group(2).strip()
        if value.startswith('"'):
            value = value[1:-1].replace('""', '"')
        assert name not in params, f"{name} twice in {line}"
        params[name] = value
    assert params, f"not an entry: {line}"
    return params


def test_inno_setup_script() -> None:
    directives, sections = parse_iss(ISS.read_text(encoding="utf-8"))
    for required in ("Setup", "Files", "Icons", "Run", "UninstallDelete"):
        assert required in sections, f"[{required}] is missing"
    for directive in directives:
        assert re.match(r"#(define|ifndef|ifdef|endif|else|include)\b", directive), directive
    defined = {m.group(1) for d in directives if (m := re.match(r"#define (\w+)", d))}
    # [Setup]: Directive=Value
    setup = {}
    for line in sections["Setup"]:
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"\w+", key), f"[Setup] line is not Directive=Value: {line}"
        setup[key] = value
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    for key in ("AppName", "AppVersion", "DefaultDirName", "DefaultGroupName", "OutputDir",
                "OutputBaseFilename", "UninstallDisplayIcon", "PrivilegesRequired"):
        assert setup.get(key), f"[Setup] {key} is missing"
    assert setup["DefaultDirName"].startswith("{autopf}\\")
    assert setup["AppVersion"] == "{#AppVersion}"
    # every {#Name} used is defined
    for used in re.findall(r"\{#(\w+)\}", ISS.read_text(encoding="utf-8")):
        assert used in defined, f"{{#{used}}} is not defined"
    assert (ISS.parent / setup["SetupIconFile"].replace("\\", "/")).is_file()
    # entry sections: known parameters, required ones present, known flags
    for section, lines in sections.items():
        if section not in ISS_PARAMETERS:
            continue
        for line in lines:
            params = split_entry(line)
            unknown = set(params) - ISS_PARAMETERS[section]
            assert not unknown, f"[{section}] unknown parameter(s) {unknown}: {line}"
            missing = ISS_REQUIRED[section] - set(params)
            assert not missing, f"[{section}] missing {missing}: {line}"
            for flag in params.get("Flags", "").split():
                assert flag in ISS_FLAGS[section], f"[{section}] unknown flag {flag}"
            if section in ("InstallDelete", "UninstallDelete"):
                assert params["Type"] in ISS_DELETE_TYPES
                assert params["Name"].startswith("{app}")  # never the till's data
    files = [split_entry(line) for line in sections["Files"]]
    assert any(f["Source"] == "{#DistDir}\\*" and "recursesubdirs" in f["Flags"] for f in files)
    icons = [split_entry(line) for line in sections["Icons"]]
    assert any(i["Name"].startswith("{group}\\") and i["Filename"] == "{app}\\{#AppExe}"
               for i in icons), "no Start-menu shortcut to the till"
    assert any(i["Filename"] == "{uninstallexe}" for i in icons)
    assert '#define AppExe "LoyaltyPOS.exe"' in directives
    assert '#define CliExe "loyalty-pos.exe"' in directives
    # the executables the script names are the ones the spec builds
    spec = SPEC.read_text(encoding="utf-8")
    assert 'name="LoyaltyPOS"' in spec and 'NAME = "loyalty-pos"' in spec
    # upgrades: the old _internal goes before the new files come
    assert any(split_entry(line)["Name"] == "{app}\\_internal"
               for line in sections["InstallDelete"])


def test_inno_setup_parser_refuses_mistakes() -> None:
    with pytest.raises(AssertionError):
        parse_iss("[Setup]\nAppName=x\n[Filez]\n")
    with pytest.raises(AssertionError):
        parse_iss("Source: x\n")
    assert split_entry('Name: "{group}\\A; B"; Filename: "{app}\\x.exe"') == {
        "Name": "{group}\\A; B", "Filename": "{app}\\x.exe"}


def test_build_ps1_calls_pyinstaller_and_iscc_and_checks_exit_codes() -> None:
    text = (INSTALLERS / "build.ps1").read_text(encoding="utf-8")
    assert '$ErrorActionPreference = "Stop"' in text
    assert "installers\\loyalty_pos.spec" in text and "installers\\windows\\loyalty-pos.iss" in text
    for option in ('"/DAppVersion=$Version"', '"/DDistDir=$App"', '"/DOutputDir=$Out"'):
        assert option in text
    assert "$LASTEXITCODE -ne 0" in text
    for command in ("--version", '"demo"', '"verify"', '"smoke"'):
        assert command in text
    # balanced braces and parentheses (a cheap syntax check without PowerShell)
    code = re.sub(r'"(?:[^"`]|`.)*"', '""', "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")))
    for opening, closing in ("{}", "()", "[]"):
        assert code.count(opening) == code.count(closing), opening + closing


# -- head office: systemd units, env example, nginx, pg_dump routine ------------------------

UNITS = ["loyalty-headoffice.service", "loyalty-headoffice-backup.service",
         "loyalty-headoffice-backup.timer"]


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False,
                                     comment_prefixes=("#", ";"))
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(path, encoding="utf-8")
    return unit


def env_example() -> dict[str, str]:
    values = {}
    for line in (HEADOFFICE / "headoffice.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", key), line
            values[key] = value
    return values


def test_systemd_units(tmp_path: Path) -> None:
    service = read_unit(HEADOFFICE / "loyalty-headoffice.service")
    assert service["Service"]["ExecStart"].split()[:2] == [
        "/opt/loyalty-headoffice/current/venv/bin/loyalty-headoffice", "serve"]
    assert service["Service"]["EnvironmentFile"] == "/etc/loyalty-headoffice/headoffice.env"
    assert service["Service"]["User"] == "loyalty-headoffice"
    assert service["Service"]["Restart"] == "on-failure"
    assert "network-online.target" in service["Unit"]["After"]
    assert service["Install"]["WantedBy"] == "multi-user.target"
    env = env_example()
    for variable in re.findall(r"\$\{(\w+)\}", service["Service"]["ExecStart"]):
        assert variable in env, f"{variable} is not in headoffice.env.example"
    assert env["LOYALTY_HEADOFFICE_DB"].startswith("postgresql+psycopg://")
    assert env["LOYALTY_HEADOFFICE_HOST"] == "127.0.0.1"
    timer = read_unit(HEADOFFICE / "loyalty-headoffice-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    backup = read_unit(HEADOFFICE / "loyalty-headoffice-backup.service")
    assert backup["Service"]["Type"] == "oneshot"
    assert backup["Service"]["ExecStart"].endswith("installers/headoffice/pg-backup.sh nightly")
    assert env["BACKUP_DIR"] in backup["Service"]["ReadWritePaths"]

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return
    # systemd-analyze verify checks every directive; the programs are not installed here, so
    # a copy points ExecStart at /bin/true (same arguments).
    for name in UNITS:
        text = (HEADOFFICE / name).read_text()
        text = re.sub(r"^ExecStart=\S+", "ExecStart=/bin/true", text, flags=re.M)
        (tmp_path / name).write_text(text)
    result = run(analyze, "verify", *(tmp_path / name for name in UNITS), check=False)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "loyalty-headoffice" in line
                and "Failed to resolve unit specifiers" not in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr


def test_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    text = (HEADOFFICE / "nginx.conf.example").read_text()
    env = env_example()
    assert f"server {env['LOYALTY_HEADOFFICE_HOST']}:{env['LOYALTY_HEADOFFICE_PORT']};" in text
    assert "listen 443 ssl" in text and "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert text.count("{") == text.count("}")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx or openssl not installed (Debian: nginx-light, openssl): "
                    "checked by eye only")
    run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
        "/CN=ho.example.com", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert.pem'};", text)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key.pem'};",
                  site)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n")
    result = run(nginx, "-t", "-q", "-p", tmp_path, "-e", tmp_path / "error.log",
                 "-c", tmp_path / "nginx.conf", check=False)
    assert result.returncode == 0, result.stderr + (tmp_path / "error.log").read_text()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster on a Unix socket (docs/RECIPES: as root via su)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL server binaries in {PG_BIN}")
    # not under pytest's tmp folder: that is private to root, and the server runs as postgres
    base = Path(tempfile.mkdtemp(prefix="loyalty-pgtest-"))
    as_root = os.geteuid() == 0
    if as_root:
        base.chmod(0o755)
        shutil.chown(base, "postgres", "postgres")

    def pg(*command: str | Path) -> subprocess.CompletedProcess[str]:
        line = " ".join(f"'{part}'" for part in command)
        return run("su", "postgres", "-c", line) if as_root else run(*command)

    port = free_port()
    pg(PG_BIN / "initdb", "-D", base / "data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
       "--no-locale")
    pg(PG_BIN / "pg_ctl", "-D", base / "data", "-l", base / "log", "-o",
       f"-p {port} -k {base} -c listen_addresses=", "-w", "start")
    try:
        yield {"PGHOST": str(base), "PGPORT": str(port), "PGUSER": "postgres", "base": base,
               "run": pg}
    finally:
        pg(PG_BIN / "pg_ctl", "-D", base / "data", "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_pg_backup_routine_dumps_checks_and_keeps_n_days(postgres, tmp_path: Path) -> None:
    base: Path = postgres["base"]
    backups = base / "backups"
    env = {**os.environ, "PGHOST": postgres["PGHOST"], "PGPORT": postgres["PGPORT"],
           "PGUSER": "postgres", "PGDATABASE": "postgres", "PG_BIN": str(PG_BIN),
           "BACKUP_DIR": str(backups), "BACKUP_KEEP_DAYS": "14"}
    run(PG_BIN / "psql", "-v", "ON_ERROR_STOP=1", "-c",
        "CREATE TABLE ledger (till int, seq int, PRIMARY KEY (till, seq));"
        "INSERT INTO ledger SELECT 1, g FROM generate_series(1, 500) g;", env=env)
    backups.mkdir()
    old_nightly = backups / "headoffice-postgres-20200101T000000Z-nightly.dump"
    old_pre_upgrade = backups / "headoffice-postgres-20200101T000000Z-pre-upgrade.dump"
    for path in (old_nightly, old_pre_upgrade):
        path.write_bytes(b"old")
        month_ago = time.time() - 30 * 86400
        os.utime(path, (month_ago, month_ago))
    result = run(HEADOFFICE / "pg-backup.sh", env=env)
    [dump] = backups.glob("headoffice-postgres-2*-nightly.dump")
    assert dump != old_nightly and dump.name in result.stdout
    assert not old_nightly.exists(), "nightly dumps older than BACKUP_KEEP_DAYS are removed"
    assert old_pre_upgrade.exists(), "pre-upgrade dumps stay"
    assert not list(backups.glob("*.partial"))
    # the dump restores: into a new database, with every row
    run(PG_BIN / "createdb", "restored", env=env)
    run(PG_BIN / "pg_restore", "--no-owner", "-d", "restored", dump, env=env)
    count = run(PG_BIN / "psql", "-At", "-d", "restored", "-c", "SELECT count(*) FROM ledger",
                env=env).stdout.strip()
    assert count == "500"
    # a failing pg_dump leaves no file that looks like a backup
    bad = {**env, "PGDATABASE": "no_such_database"}
    assert run(HEADOFFICE / "pg-backup.sh", "manual", env=bad, check=False).returncode != 0
    assert not list(backups.glob("*no_such_database*"))


def test_upgrade_routine_backs_up_then_migrates_then_starts() -> None:
    text = (HEADOFFICE / "upgrade.sh").read_text()
    steps = ['systemctl stop "$SERVICE"', "pg-backup.sh\" pre-upgrade",
             'migrations/headoffice/alembic.ini" upgrade head',
             'ln -sfn "$NEW" "$BASE/current"', 'systemctl start "$SERVICE"']
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions), "stop, backup, alembic upgrade, switch, start"


# -- the smoke command, from source ----------------------------------------------------------


def test_smoke_command_from_source(tmp_path: Path) -> None:
    """`loyalty-pos smoke` (what the slow test runs on the built binary) works from source:
    the till window offscreen, its About box with the version, a receipt, the daily backup."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    db = tmp_path / "till.sqlite"
    python = [sys.executable, "-m", "loyalty_pos"]
    run(*python, "demo", "--db", db, "--members", "200", env=env)
    result = run(*python, "smoke", "--db", db, "--screenshot", tmp_path / "till.png", env=env)
    assert "smoke test passed" in result.stdout
    assert png_size(tmp_path / "till.png") == (1280, 800)
    assert png_size(tmp_path / "till-about.png")[0] > 100
    assert (tmp_path / "till.pdf").read_bytes().startswith(b"%PDF")
    [daily] = (tmp_path / "backups").glob("till-*-daily.sqlite")  # taken when the window opened
    with sqlite3.connect(daily) as connection:
        assert connection.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 200
    # a database with no store yet: the first-run dialog, still exit 0
    result = run(*python, "smoke", "--db", tmp_path / "new.sqlite", "--screenshot",
                 tmp_path / "first.png", env=env)
    assert "smoke test passed" in result.stdout and png_size(tmp_path / "first.png")[0] > 100


# -- the built till (slow: builds with PyInstaller) -----------------------------------------


@pytest.mark.slow
def test_build_and_run_the_frozen_till(tmp_path: Path) -> None:
    """installers/build.sh, then the built binary: --version, a demo database (small, and one
    big enough for the second process), verify, the window offscreen (and on X11 under Xvfb
    when xvfb-run is there), backup and restore, an old database upgraded with a pre-upgrade
    backup; then the tarball installed into a scratch root and run from there."""
    python = ROOT / ".venv" / "bin" / "python"
    if not python.exists():
        python = Path(sys.executable)
    if run(python, "-c", "import PyInstaller", check=False).returncode != 0:
        pytest.skip(f"PyInstaller is not installed for {python}: pip install -e '.[build]'")
    out, work = tmp_path / "out", tmp_path / "work"
    started = time.monotonic()
    build = run(INSTALLERS / "build.sh", "--out", out, "--work", work, "--python", python,
                "--no-smoke", timeout=900)
    print(f"build.sh took {time.monotonic() - started:.0f} s\n{build.stdout[-600:]}")
    app = out / "loyalty-pos"
    binary = app / "loyalty-pos"
    tarball = out / f"loyalty-pos-{__version__}-linux-{os.uname().machine}.tar.gz"
    assert binary.is_file() and tarball.is_file()
    internal = app / "_internal"
    for bundled in ("migrations/till/env.py", "resources/styles/till.qss",
                    "resources/translations/loyalty_pos_zh_CN.qm",
                    "resources/agreements/member_agreement.md",
                    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
                    "PySide6/Qt/plugins/platforms/libqxcb.so"):
        assert (internal / bundled).exists(), bundled
    assert list((internal / "migrations/till/versions").glob("0001_*.py"))
    assert not (internal / "PySide6/Qt/plugins/platformthemes").exists()  # lean: no GTK

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    data = tmp_path / "data"
    data.mkdir()
    db = data / "till.sqlite"

    def frozen(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return run(binary, *args, env=env, cwd=data, timeout=timeout)

    assert frozen("--version").stdout.strip() == f"loyalty-pos {__version__}"
    frozen("demo", "--db", db, "--members", "200")
    assert "all checks hold" in frozen("verify", "--db", db).stdout
    smoke = frozen("smoke", "--db", db, "--screenshot", data / "till.png")
    assert "smoke test passed" in smoke.stdout, smoke.stdout + smoke.stderr
    assert png_size(data / "till.png") == (1280, 800)
    assert png_size(data / "till-about.png")[0] > 100
    assert (data / "till.pdf").read_bytes().startswith(b"%PDF")
    zh = frozen("smoke", "--db", db, "--screenshot", data / "zh.png", "--language", "zh_CN")
    assert "smoke test passed" in zh.stdout

    # the demo's second process (multiprocessing "spawn" of the frozen executable)
    big = data / "big.sqlite"
    frozen("demo", "--db", big, "--members", "20000")
    assert "all checks hold" in frozen("verify", "--db", big).stdout

    # backups and restore in the frozen app (sqlite backup API, alembic revisions for the check)
    frozen("backup", "--db", db)
    assert "manual" in frozen("backup", "--list", "--db", db).stdout
    [manual] = (data / "backups").glob("till-*-manual.sqlite")
    restored = frozen("restore", "--db", db, "--backup", manual, "--yes")
    assert "passes every check" in restored.stdout
    assert list((data / "backups").glob("till-*-before-restore.sqlite"))

    # an older database: the frozen till backs it up, then upgrades it, keeping its data
    old = data / "old.sqlite"
    from alembic import command

    from loyalty_pos.db.engine import alembic_config, make_engine

    engine = make_engine(old)
    config = alembic_config(str(engine.url))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    frozen("demo", "--db", old, "--members", "200")  # opens (upgrades), then fills it
    [pre_upgrade] = (data / "backups").glob("old-*-pre-upgrade.sqlite")
    with sqlite3.connect(pre_upgrade) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0001",)
    assert "all checks hold" in frozen("verify", "--db", old).stdout

    # the real X11 platform plugin, when an X server can be had
    if shutil.which("xvfb-run"):
        xcb = run("xvfb-run", "-a", binary, "smoke", "--db", db, "--screenshot",
                  data / "xcb.png", env={**env, "QT_QPA_PLATFORM": "xcb"}, cwd=data,
                  check=False, timeout=120)
        assert xcb.returncode == 0, (
            f"xcb: {xcb.stdout}\n{xcb.stderr}\n(the build machine needs libxcb-icccm4 "
            "libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 so that they are bundled)")
        assert "platform xcb" in xcb.stdout

    # the tarball: what a shop unpacks; installed into a scratch root and run from there
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        top = f"loyalty-pos-{__version__}-linux-{os.uname().machine}"
        for member in ("install.sh", "uninstall.sh", "loyalty-pos.desktop", "loyalty-pos.png",
                       "60-loyalty-pos-scanner.rules", "INSTALL.txt", "VERSION",
                       "app/loyalty-pos", "app/_internal/migrations/till/env.py"):
            assert f"{top}/{member}" in names, member
        archive.extractall(tmp_path / "unpacked", filter="tar")
    root = tmp_path / "root"
    run(tmp_path / "unpacked" / top / "install.sh", "--root", root)
    installed = root / "usr" / "local" / "bin" / "loyalty-pos"
    assert run(installed, "--version", env=env).stdout.strip() == f"loyalty-pos {__version__}"
    if shutil.which("desktop-file-validate"):
        run("desktop-file-validate", root / "usr/share/applications/loyalty-pos.desktop")
    size_mb = sum(f.stat().st_size for f in app.rglob("*")
                  if f.is_file() and not f.is_symlink()) / 1e6
    print(f"bundle {size_mb:.0f} MB, tarball {tarball.stat().st_size / 1e6:.0f} MB, "
          f"loyalty_pos {loyalty_pos.__version__}")
