"""The `journal-desktop` command line.

Every failure a person can cause or meet (wrong passphrase, missing keychain entry, damaged
file, full disk) is a VaultError: one sentence on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from journal_desktop import __version__, launch, terminal
from journal_desktop.cli_trading import TradingCommands, add_trading_commands
from journal_desktop.domain.records import Mood
from journal_desktop.storage import backup as backups
from journal_desktop.storage import export as exporting
from journal_desktop.storage import key_management, operations, vault_keys
from journal_desktop.storage.atomic_files import write_atomic_bytes
from journal_desktop.storage.errors import VaultError
from journal_desktop.storage.keychain import default_backend, describe_backend
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths, default_data_dir
from journal_desktop.storage.vault import Vault, read_metadata
from journal_desktop.storage.vault_keys import KeyEnvironment

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


class UsageError(VaultError):
    exit_code = EXIT_USAGE


def _paths(args: argparse.Namespace) -> VaultPaths:
    data_dir = Path(args.data_dir).expanduser() if args.data_dir else default_data_dir()
    return VaultPaths(data_dir)


def _key_env(*, new_passphrase: bool = False) -> KeyEnvironment:
    source = terminal.passphrase_source(
        terminal.VAULT_PASSPHRASE_VARIABLE,
        "New vault passphrase: " if new_passphrase else "Vault passphrase: ",
        new=new_passphrase,
        confirm_prompt="Repeat the vault passphrase: ",
    )
    return KeyEnvironment(backend=default_backend(), passphrase=source)


def _open(args: argparse.Namespace) -> tuple[Vault, bytes]:
    """Open the vault and keep its key for local backups; the caller closes the vault."""
    paths = _paths(args)
    metadata = read_metadata(paths)
    key = vault_keys.load_key(paths, metadata, _key_env())
    return Vault.open_with_key(paths, metadata, key), key


def _print_json(document: Any) -> None:
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def _after_change(vault: Vault, key: bytes) -> None:
    """Keep the rolling local backups fresh after the journal changed."""
    backups.maybe_auto_backup(vault, key)


# -- commands ------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    paths = _paths(args)
    requested = KeyStorage(args.key_storage) if args.key_storage else None
    env = _key_env(new_passphrase=True)
    storage = vault_keys.choose_key_storage(requested, env)
    if requested is None and storage is KeyStorage.PASSPHRASE:
        print(
            f"No secure OS keychain was found ({env.backend_name}); "
            "the vault key will be protected by a passphrase instead.",
            file=sys.stderr,
        )
    with Vault.init(paths, env, storage) as vault:
        print(f"Created an encrypted vault in {paths.data_dir}")
        print(f"Key storage: {vault.metadata.key_storage.value}")
        if vault.metadata.key_storage is KeyStorage.PASSPHRASE:
            print("Keep the passphrase safe: without it (or a backup) the vault cannot be opened.")
    return EXIT_OK


def _age_text(age: timedelta | None) -> str:
    if age is None:
        return "no backup yet"
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    if seconds < 172800:
        return f"{seconds // 3600} hours"
    return f"{seconds // 86400} days"


def cmd_status(args: argparse.Namespace) -> int:
    vault, _key = _open(args)
    with vault:
        age = backups.newest_backup_age(vault.paths)
        backend = default_backend()
        document = {
            "vault_path": str(vault.paths.database),
            "data_dir": str(vault.paths.data_dir),
            "vault_id": vault.metadata.vault_id,
            "key_storage": vault.metadata.key_storage.value,
            "keyring_backend": describe_backend(backend),
            "keyring_secure": vault_keys.KeyEnvironment(backend).keychain_is_secure,
            "schema_version": vault.schema_version(),
            "counts": asdict(vault.counts()),
            "newest_backup_age_seconds": None if age is None else int(age.total_seconds()),
            "local_backups": len(backups.list_backups(vault.paths)),
        }
    if args.json:
        _print_json(document)
        return EXIT_OK
    print(f"Vault:           {document['vault_path']}")
    print(f"Key storage:     {document['key_storage']}")
    secure = "secure" if document["keyring_secure"] else "not secure"
    print(f"Keyring backend: {document['keyring_backend']} ({secure})")
    print(f"Schema version:  {document['schema_version']}")
    counts = document["counts"]
    assert isinstance(counts, dict)
    print("Records:         " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    print(f"Newest backup:   {_age_text(age)}{'' if age is None else ' old'}")
    return EXIT_OK


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from None


def cmd_journal_write(args: argparse.Namespace) -> int:
    day = _parse_day(args.date)
    mood = Mood[args.mood.upper()] if args.mood else None
    vault, key = _open(args)
    with vault:
        text = {args.section: args.text}
        entry = operations.write_journal(vault, day, mood=mood, **text)
        _after_change(vault, key)
    print(f"Saved the journal for {entry.day.isoformat()} (version {entry.version}).")
    return EXIT_OK


def cmd_journal_show(args: argparse.Namespace) -> int:
    day = _parse_day(args.date)
    vault, _key = _open(args)
    with vault:
        entry = vault.journal.for_day(day)
    if entry is None:
        print(f"No journal entry for {day.isoformat()}.", file=sys.stderr)
        return EXIT_FAILURE
    if args.json:
        _print_json(
            {
                "date": entry.day.isoformat(),
                "plan": entry.plan,
                "review": entry.review,
                "mood": None if entry.mood is None else entry.mood.name.lower(),
                "version": entry.version,
            }
        )
        return EXIT_OK
    print(
        f"# {entry.day.isoformat()}"
        + (f"  (mood: {entry.mood.name.lower()})" if entry.mood else "")
    )
    if entry.plan:
        print("\n## Plan\n" + entry.plan)
    if entry.review:
        print("\n## Review\n" + entry.review)
    return EXIT_OK


def _backup_passphrase(*, new: bool) -> str:
    read = terminal.passphrase_source(
        terminal.BACKUP_PASSPHRASE_VARIABLE,
        "New backup passphrase: " if new else "Backup passphrase: ",
        new=new,
        confirm_prompt="Repeat the backup passphrase: ",
    )
    return read()


def cmd_backup(args: argparse.Namespace) -> int:
    target = Path(args.file).expanduser() if args.file else None
    vault, key = _open(args)
    with vault:
        if args.local:
            path = backups.write_local_backup(vault, key)
            print(f"Wrote a local encrypted backup: {path}")
            return EXIT_OK
        if target is None:
            raise UsageError("Name the backup file: journal-desktop backup FILE.")
        passphrase = _backup_passphrase(new=True)
        info = backups.write_backup(vault, target, passphrase)
    print(f"Wrote an encrypted backup to {target} ({info.created_at}).")
    print("Keep the backup passphrase safe: the backup cannot be restored without it.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    source = Path(args.file).expanduser()
    paths = _paths(args)
    info = backups.read_backup_info(source)
    requested = KeyStorage(args.key_storage) if args.key_storage else None
    env = _key_env(new_passphrase=True)
    if info.key_kind == "vault":
        if not args.from_data_dir:
            raise UsageError(
                "This is a local automatic backup, encrypted under its vault's key: "
                "add --from-data-dir with the data folder of the vault it came from."
            )
        source_paths = VaultPaths(Path(args.from_data_dir).expanduser())
        source_key = vault_keys.load_key(source_paths, read_metadata(source_paths), _key_env())
        vault = backups.restore_backup(
            source, paths, env, vault_key=source_key, key_storage=requested
        )
    else:
        vault = backups.restore_backup(
            source,
            paths,
            env,
            backup_passphrase=_backup_passphrase(new=False),
            key_storage=requested,
        )
    with vault:
        counts = vault.counts()
        storage = vault.metadata.key_storage.value
    print(
        f"Restored the backup of {info.created_at} into {paths.data_dir} (key storage: {storage})."
    )
    print(f"{counts.trades} trades, {counts.journal_entries} journal entries.")
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    vault, _key = _open(args)
    with vault:
        result = vault.audit.verify()
    if result.ok:
        print(f"The audit log is intact: {result.entries} entries, hash chain verified.")
        return EXIT_OK
    print(
        f"The audit log was tampered with: {result.problem}. Restore a backup you trust, "
        "and keep this vault for investigation.",
        file=sys.stderr,
    )
    return EXIT_FAILURE


def cmd_audit_show(args: argparse.Namespace) -> int:
    vault, _key = _open(args)
    with vault:
        entries = vault.audit.entries(limit=args.limit)
    if args.json:
        _print_json([asdict(e) for e in entries])
        return EXIT_OK
    for entry in entries:
        print(
            f"{entry.seq:>6}  {entry.at}  {entry.action:<7} {entry.record_type:<14} "
            f"{entry.record_id}  by {entry.device}"
        )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    vault, _key = _open(args)
    with vault:
        try:
            problems = vault.integrity_problems()
        except VaultError as error:
            problems = [error.message]
        audit = vault.audit.verify()
    if problems:
        shown = "; ".join(problems[:5])
        print(
            f"The vault file is damaged ({shown}). Restore your newest backup into a new data "
            "folder with `journal-desktop restore FILE`.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    if not audit.ok:
        print(
            f"The vault file is sound but its audit log was tampered with: {audit.problem}.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(
        "The vault is sound: every page authenticates, the structure checks out, "
        f"and the audit log's {audit.entries} entries verify."
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    vault, _key = _open(args)
    with vault:
        document = exporting.export_document(vault)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    print(
        "Warning: the export is NOT encrypted; anyone who can read it can read your journal.",
        file=sys.stderr,
    )
    if args.output:
        target = Path(args.output).expanduser()
        write_atomic_bytes(target, text.encode("utf-8"))
        print(f"Wrote the unencrypted export to {target} (readable by you only).", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_key_storage(args: argparse.Namespace) -> int:
    target = KeyStorage(args.target)
    vault, key = _open(args)
    with vault:
        new_source = terminal.passphrase_source(
            terminal.NEW_VAULT_PASSPHRASE_VARIABLE,
            "New vault passphrase: ",
            new=True,
            confirm_prompt="Repeat the new vault passphrase: ",
        )
        env = KeyEnvironment(backend=default_backend(), passphrase=new_source)
        key_management.switch_key_storage(vault, key, env, target)
    print(f"The vault key is now kept by {target.value}.")
    return EXIT_OK


def cmd_key_passphrase(args: argparse.Namespace) -> int:
    vault, key = _open(args)
    with vault:
        new_passphrase = terminal.passphrase_source(
            terminal.NEW_VAULT_PASSPHRASE_VARIABLE,
            "New vault passphrase: ",
            new=True,
            confirm_prompt="Repeat the new vault passphrase: ",
        )()
        key_management.change_passphrase(vault, key, new_passphrase)
    print("The vault passphrase was changed.")
    return EXIT_OK


def cmd_default(args: argparse.Namespace) -> int:
    paths = _paths(args)
    if not paths.exists():
        print(f"Journal Desktop {__version__}: no vault yet in {paths.data_dir}.")
        print("Create one with `journal-desktop init`, then see `journal-desktop --help`.")
        return EXIT_OK
    return cmd_status(args)


def cmd_gui(args: argparse.Namespace) -> int:
    """Open the desktop window (the bare command goes there without the CLI: `launch`)."""
    return launch.open_window(["--data-dir", str(args.data_dir)] if args.data_dir else [])


# -- parser --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journal-desktop",
        description="An encrypted, local-first trading journal.",
        epilog=(
            f"Passphrases come from {terminal.VAULT_PASSPHRASE_VARIABLE} and "
            f"{terminal.BACKUP_PASSPHRASE_VARIABLE} when set, else from a no-echo prompt."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the vault's folder (default: the platform's user data folder)",
    )
    parser.set_defaults(handler=cmd_default, json=False)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser("init", help="create a new encrypted vault")
    init.add_argument(
        "--key-storage",
        choices=[k.value for k in KeyStorage],
        help="keep the key in the OS keychain (default when one is available) or "
        "under a passphrase",
    )
    init.set_defaults(handler=cmd_init)

    status = commands.add_parser("status", help="vault, key storage, counts, backup age")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(handler=cmd_status)

    journal = commands.add_parser("journal", help="write or show a day's journal")
    journal_commands = journal.add_subparsers(
        title="journal commands", metavar="COMMAND", required=True
    )
    write = journal_commands.add_parser("write", help="write a day's plan or review")
    write.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    write.add_argument("--text", required=True)
    write.add_argument(
        "--section",
        choices=["plan", "review"],
        default="review",
        help="which part of the day's entry to write (default: review)",
    )
    write.add_argument("--mood", choices=[m.name.lower() for m in Mood])
    write.set_defaults(handler=cmd_journal_write)
    show = journal_commands.add_parser("show", help="show a day's journal")
    show.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=cmd_journal_show)

    backup = commands.add_parser("backup", help="write an encrypted backup")
    backup.add_argument("file", nargs="?", help="where to write the backup")
    backup.add_argument(
        "--local",
        action="store_true",
        help="make one of the rolling local backups in the data folder instead",
    )
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="restore a backup into an empty data folder")
    restore.add_argument("file")
    restore.add_argument("--key-storage", choices=[k.value for k in KeyStorage])
    restore.add_argument(
        "--from-data-dir",
        metavar="DIR",
        help="for a local automatic backup: the data folder of its vault",
    )
    restore.set_defaults(handler=cmd_restore)

    audit = commands.add_parser("audit", help="the local audit log")
    audit_commands = audit.add_subparsers(title="audit commands", metavar="COMMAND", required=True)
    verify = audit_commands.add_parser("verify", help="check the audit log's hash chain")
    verify.set_defaults(handler=cmd_audit_verify)
    show_log = audit_commands.add_parser("show", help="list audit entries, newest first")
    show_log.add_argument("--limit", type=int, default=50)
    show_log.add_argument("--json", action="store_true")
    show_log.set_defaults(handler=cmd_audit_show)

    key = commands.add_parser("key", help="how the vault key is kept")
    key_commands = key.add_subparsers(title="key commands", metavar="COMMAND", required=True)
    storage = key_commands.add_parser(
        "storage", help="move the key to the OS keychain or under a passphrase"
    )
    storage.add_argument("target", choices=[k.value for k in KeyStorage])
    storage.set_defaults(handler=cmd_key_storage)
    passphrase = key_commands.add_parser(
        "change-passphrase",
        help=f"re-wrap the key under a new passphrase (read from "
        f"{terminal.NEW_VAULT_PASSPHRASE_VARIABLE} or a prompt)",
    )
    passphrase.set_defaults(handler=cmd_key_passphrase)

    add_trading_commands(commands, TradingCommands(_open, _after_change))

    gui = commands.add_parser("gui", help="open the desktop window (also: no arguments)")
    gui.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    gui.set_defaults(handler=cmd_gui)

    check = commands.add_parser("check", help="verify every page and the audit log")
    check.set_defaults(handler=cmd_check)

    export = commands.add_parser("export", help="export everything as plain (unencrypted) JSON")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(arguments or ["gui"])  # no arguments: the desktop window
    if args.handler is cmd_backup and not args.local and not args.file:
        parser.error("backup needs a FILE (or --local)")
    handler: Handler = args.handler
    try:
        return handler(args)
    except VaultError as error:
        print(f"journal-desktop: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("journal-desktop: interrupted; nothing was left half-written.", file=sys.stderr)
        return 130
