; Inno Setup script of the Windows till (Inno Setup 6). It packs the PyInstaller one-folder
; build (dist\loyalty-pos\) into LoyaltyPOS-VERSION-setup.exe with a Start-menu shortcut and an
; uninstaller. Built by installers\build.ps1, which passes the version and the folders:
;
;   ISCC.exe /DAppVersion=0.1.0 /DDistDir=C:\src\loyalty-pos\dist\loyalty-pos
;            /DOutputDir=C:\src\loyalty-pos\dist installers\windows\loyalty-pos.iss
;
; The till's database, its backups and settings live in the user's data folder
; (%LOCALAPPDATA%\LoyaltyPOS\loyalty-pos\), never in the program folder: installing a new
; version over an old one (same AppId) replaces the program only, and the uninstaller leaves
; the till's data alone. The new version upgrades the database on its first start, after a
; "pre-upgrade" backup.
;
; NOT RUN HERE: this project's machines are Linux; the script follows Inno Setup 6's documented
; syntax and is checked statically by tests/installers/test_installer_files.py. See
; docs/installing.md for how to build and check it on Windows.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef DistDir
  #define DistDir "..\..\dist\loyalty-pos"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#define AppName "Loyalty POS"
#define AppExe "LoyaltyPOS.exe"
#define CliExe "loyalty-pos.exe"

[Setup]
; The AppId identifies the product for upgrades and the uninstaller: never change it.
AppId={{70EB88A3-FCE2-434A-986F-78A0A7E7D802}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=LoyaltyPOS
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
OutputDir={#OutputDir}
OutputBaseFilename=LoyaltyPOS-{#AppVersion}-setup
SetupIconFile=..\assets\loyalty-pos.ico
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
; A running till holds its files open: ask to close it (the database is safe, every sale is
; committed before it is shown as done).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's Python and Qt files: a new build may drop or rename some, and stale
; ones must not be loaded. Only the program folder; the till's data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Retail loyalty till"
Name: "{group}\Back up the till database"; Filename: "{app}\{#CliExe}"; Parameters: "backup"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; What the program itself may leave in its folder (Python byte-code caches). Not the till's
; data in %LOCALAPPDATA%\LoyaltyPOS: the uninstaller never deletes a shop's database.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"
