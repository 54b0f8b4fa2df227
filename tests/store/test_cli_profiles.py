"""``birdadmin-cli profiles`` end to end: real argument parsing, a real SCIM server, an in-memory keyring."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from birdadmin.cli import main
from birdadmin.store.profiles import ProfileStore
from birdadmin.store.secrets import SERVICE

ORG = "123e4567-e89b-12d3-a456-426614174000"
BASE = f"https://api.bird.com/organizations/{ORG}/scim/v2"
KEY = "sk_cli_0123456789abcdefQRST"


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def cli(global_keyring, config_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    secrets_seen: list[str] = []

    def run(*argv: str, stdin: str = "", tty: bool = False) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", FakeTty(stdin) if tty else io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        for line in stdin.splitlines():
            if line.strip():
                secrets_seen.append(line.strip())
        for secret in secrets_seen:  # no key ever appears in any output
            assert secret not in out and secret not in err
        return code, out, err

    return run


def profiles(config_home: Path) -> ProfileStore:
    return ProfileStore(config_home)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_add_with_key_on_stdin_then_list(cli, config_home, global_keyring):
    code, out, err = cli("profiles", "add", "Prod", "--base-url", BASE, "--read-only", "--key-stdin",
                         stdin=KEY + "\n")
    assert code == 0, err
    assert f"Added profile 'Prod' for organization {ORG}." in out
    assert "The SCIM access key is stored in the OS keyring (ends …QRST)." in out
    profile = profiles(config_home).get("Prod")
    assert profile.read_only and global_keyring.items == {(SERVICE, f"{profile.id}:scim"): KEY}
    code, out, _ = cli("profiles", "list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["name", "base_url", "org_id", "read_only", "scim_key", "scim_key_stored",
                              "accounts_key", "accounts_key_stored"]
    assert row.startswith("Prod") and "…QRST" in row and " yes " in row and ORG in row
    code, out, _ = cli("--format", "json", "profiles", "list")
    (record,) = json.loads(out)
    assert record["name"] == "Prod" and record["scim_key"] == "…QRST" and record["read_only"] is True
    assert record["scim_key_stored"].endswith("UTC")


def test_add_reads_two_keys_from_stdin(cli, config_home, global_keyring):
    code, _, err = cli("profiles", "add", "Both", "--base-url", BASE, "--accounts-url", "https://api.bird.com",
                       "--roles-shape", "complex", "--role-strategy", "add-remove", "--timeout", "9",
                       "--key-stdin", "--accounts-key-stdin", stdin=f"{KEY}\nacc_{KEY}\n")
    assert code == 0, err
    p = profiles(config_home).get("Both")
    assert (p.roles_shape.value, p.role_strategy.value, p.timeout) == ("complex", "add-remove", 9.0)
    assert global_keyring.items[(SERVICE, f"{p.id}:accounts")] == f"acc_{KEY}"
    assert p.accounts_key_fingerprint == "…QRST"


def test_add_prompts_with_hidden_input_on_a_terminal(cli, config_home, global_keyring, monkeypatch):
    prompts: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or KEY)
    code, _, err = cli("profiles", "add", "Typed", "--base-url", BASE, tty=True)
    assert code == 0, err
    assert prompts == ["SCIM access key: "]
    assert global_keyring.items[(SERVICE, f"{profiles(config_home).get('Typed').id}:scim")] == KEY


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["--base-url", "http://bird.example/scim", "--no-key"], "", "would send the access key unencrypted"),
        (["--base-url", "nonsense", "--no-key"], "", "is not an http(s) URL"),
        (["--base-url", BASE, "--timeout", "0", "--no-key"], "", "Set the timeout between 1 and 600 seconds."),
        (["--base-url", BASE, "--ca-bundle", "/no/ca.pem", "--no-key"], "", "The CA bundle file /no/ca.pem does"),
        (["--base-url", BASE], "", "There is no terminal to type the SCIM access key into"),
        (["--base-url", BASE, "--key-stdin"], "", "Expected the SCIM access key on stdin, but stdin ended."),
        (["--base-url", BASE, "--key-stdin"], "two words\n", "contains spaces"),
        (["--base-url", BASE, "--key-stdin", "--no-key"], KEY + "\n", "--no-key cannot be combined"),
        (["--base-url", "https://ws.example/scim", "--accounts-url", "https://api.bird.com", "--no-key"], "",
         "Enter the organization ID"),
    ],
)
def test_add_refuses_bad_input_with_exit_2(cli, config_home, argv, stdin, message):
    code, _out, err = cli("profiles", "add", "Bad", *argv, stdin=stdin)
    assert code == 2
    assert message in err
    assert profiles(config_home).names() == []


def test_add_duplicate_name(cli):
    assert cli("profiles", "add", "Prod", "--base-url", BASE, "--no-key")[0] == 0
    code, _, err = cli("profiles", "add", "PROD", "--base-url", BASE, "--no-key")
    assert code == 2 and "A profile named 'PROD' already exists; choose another name." in err


def test_add_without_usable_keyring_says_how_to_fix_and_creates_nothing(cli, config_home):
    keyring.set_keyring(fail.Keyring())  # the global_keyring fixture restores the previous backend
    code, _, err = cli("profiles", "add", "Prod", "--base-url", BASE, "--key-stdin", stdin=KEY + "\n")
    assert code == 1
    assert "No usable keyring was found" in err and "apt install gnome-keyring" in err
    assert "--no-key and set BIRDADMIN_ACCESS_KEY" in err
    assert profiles(config_home).names() == []
    assert KEY not in "".join(p.read_text() for p in config_home.rglob("*") if p.is_file())


def test_edit_rename_url_flags_and_clear(cli, config_home, global_keyring):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--accounts-url", "https://api.bird.com", "--key-stdin",
        stdin=KEY + "\n")
    before = profiles(config_home).get("Prod")
    other = "00000000-0000-4000-8000-000000000002"
    code, out, err = cli("profiles", "edit", "prod", "--rename", "Production", "--base-url",
                         BASE.replace(ORG, other), "--read-only", "--accounts-url", "", "--keep-keys")
    assert code == 0, err
    assert "Updated profile 'Production'." in out
    after = profiles(config_home).get("Production")
    assert after.id == before.id and after.org_id == other and after.read_only and after.accounts_url is None
    assert after.scim_key_fingerprint == "…QRST"  # the key follows the id through the rename
    code, _, _ = cli("profiles", "edit", "Production", "--no-read-only", "--org-id",
                     "00000000-0000-4000-8000-0000000000ff")
    assert code == 0 and not profiles(config_home).get("Production").read_only
    code, _, err = cli("profiles", "edit", "Production", "--base-url", "http://bird.example")
    assert code == 2 and "unencrypted" in err
    code, _, err = cli("profiles", "edit", "nope", "--read-only")
    assert code == 2 and "No profile named 'nope'; known profiles: Production." in err


def test_remove_forgets_keys(cli, config_home, global_keyring):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--key-stdin", stdin=KEY + "\n")
    code, out, _ = cli("profiles", "remove", "Prod")
    assert code == 0 and "Removed profile 'Prod' and forgot its keys." in out
    assert profiles(config_home).names() == [] and global_keyring.items == {}


def test_forget_key(cli, config_home, global_keyring):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--key-stdin", stdin=KEY + "\n")
    code, out, _ = cli("profiles", "forget-key", "Prod")
    assert code == 0 and "Forgot the SCIM access key of profile 'Prod'." in out
    assert global_keyring.items == {} and profiles(config_home).get("Prod").scim_key_fingerprint is None


def test_test_against_a_real_server(cli, scim2_server):
    cli("profiles", "add", "Local", "--base-url", scim2_server.base_url, "--key-stdin",
        stdin=scim2_server.key + "\n")
    code, out, err = cli("profiles", "test", "Local")
    assert code == 0, err
    assert "SCIM: reachable, key accepted" in out and "ETags:" in out
    assert "Role catalogue: not available (no Accounts API URL)" in out
    code, out, _ = cli("--format", "json", "profiles", "test", "Local")
    record = json.loads(out)
    assert record["ok"] is True and record["key_accepted"] is True and isinstance(record["user_count"], int)


def test_test_wrong_key_exit_3_and_unreachable_exit_4(cli, scim2_server):
    cli("profiles", "add", "Wrong", "--base-url", scim2_server.base_url, "--key-stdin", stdin="wrong-key-0000\n")
    code, out, _ = cli("profiles", "test", "Wrong")
    assert code == 3 and "the key was refused" in out
    cli("profiles", "add", "Gone", "--base-url", f"http://127.0.0.1:{closed_port()}/v2", "--key-stdin",
        stdin="some-key-00000000\n")
    code, out, _ = cli("profiles", "test", "Gone")
    assert code == 4 and "not reachable" in out


def test_test_environment_key_overrides(cli, scim2_server, monkeypatch):
    cli("profiles", "add", "Script", "--base-url", scim2_server.base_url, "--no-key")
    code, _, err = cli("profiles", "test", "Script")
    assert code == 2 and "has no stored key" in err
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", scim2_server.key)
    keyring.set_keyring(fail.Keyring())  # the environment variable must not need a keyring
    code, out, _ = cli("profiles", "test", "Script")
    assert code == 0 and "key accepted" in out


def test_set_key_tests_before_replacing(cli, config_home, global_keyring, scim2_server):
    cli("profiles", "add", "Local", "--base-url", scim2_server.base_url, "--key-stdin", stdin="old-key-12345678\n")
    profile = profiles(config_home).get("Local")
    code, _, err = cli("profiles", "set-key", "Local", "--key-stdin", stdin="bad-new-key-999\n")
    assert code == 3
    assert "did not pass the test, so the stored key is unchanged" in err
    assert global_keyring.items[(SERVICE, f"{profile.id}:scim")] == "old-key-12345678"
    code, out, err = cli("profiles", "set-key", "Local", "--key-stdin", stdin=scim2_server.key + "\n")
    assert code == 0, err
    assert "works and is replaced in the OS keyring" in out
    assert global_keyring.items[(SERVICE, f"{profile.id}:scim")] == scim2_server.key
    assert profiles(config_home).get("Local").scim_key_fingerprint == "…" + scim2_server.key[-4:]


def test_set_key_accounts_needs_accounts_url(cli):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--no-key")
    code, _, err = cli("profiles", "set-key", "Prod", "--accounts", "--key-stdin", stdin=KEY + "\n")
    assert code == 2 and "has no Accounts API URL" in err


def test_global_connection_options_do_not_leak_into_a_profile(cli, config_home):
    # --timeout and --read-only style options exist for one-off connections too; a profile takes only its own.
    code, _, err = cli("--timeout", "5", "--roles-shape", "complex", "profiles", "add", "T", "--base-url", BASE,
                       "--no-key")
    assert code == 0, err
    profile = profiles(config_home).get("T")
    assert profile.timeout == 30.0 and profile.roles_shape.value == "strings"


def test_nothing_in_config_dir_contains_a_key(cli, config_home, scim2_server):
    cli("profiles", "add", "Local", "--base-url", scim2_server.base_url, "--key-stdin", stdin=scim2_server.key + "\n")
    cli("profiles", "test", "Local")
    cli("profiles", "set-key", "Local", "--key-stdin", stdin=scim2_server.key + "\n")
    files = [p for p in config_home.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert scim2_server.key.encode() not in path.read_bytes()


def test_add_refuses_an_accounts_key_without_an_accounts_url(cli, config_home, global_keyring):
    code, _, err = cli("profiles", "add", "Prod", "--base-url", BASE, "--key-stdin", "--accounts-key-stdin",
                       stdin=f"{KEY}\nacc_{KEY}\n")
    assert code == 2 and "--accounts-key-stdin needs --accounts-url" in err
    assert profiles(config_home).names() == [] and global_keyring.items == {}


def test_edit_with_a_new_key_that_fails_changes_nothing(cli, config_home, global_keyring, scim2_server):
    cli("profiles", "add", "Local", "--base-url", scim2_server.base_url, "--key-stdin", stdin="old-key-12345678\n")
    before = profiles(config_home).get("Local")
    code, out, err = cli("profiles", "edit", "Local", "--rename", "Renamed", "--timeout", "5", "--key-stdin",
                         stdin="bad-new-key-999\n")
    assert code == 3
    assert "did not pass the test, so the stored key is unchanged" in err and "'Local' was not changed" in err
    assert "Updated profile" not in out
    assert profiles(config_home).get("Local") == before
    assert global_keyring.items[(SERVICE, f"{before.id}:scim")] == "old-key-12345678"
    code, out, err = cli("profiles", "edit", "Local", "--rename", "Renamed", "--key-stdin",
                         stdin=scim2_server.key + "\n")
    assert code == 0, err
    assert "Updated profile 'Renamed'." in out and "works and is replaced in the OS keyring" in out
    after = profiles(config_home).get("Renamed")
    assert after.id == before.id and after.scim_key_fingerprint == "…" + scim2_server.key[-4:]
    assert global_keyring.items[(SERVICE, f"{before.id}:scim")] == scim2_server.key


def test_edit_with_an_accounts_key_but_no_accounts_url_changes_nothing(cli, config_home):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--no-key")
    before = profiles(config_home).get("Prod")
    code, out, err = cli("profiles", "edit", "Prod", "--rename", "P2", "--accounts-key-stdin", stdin=KEY + "\n")
    assert code == 2 and "has no Accounts API URL" in err and "Updated profile" not in out
    assert profiles(config_home).get("Prod") == before


def test_edit_never_points_a_stored_key_at_another_server_silently(cli, config_home, global_keyring):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--accounts-url", "https://api.bird.com", "--key-stdin",
        "--accounts-key-stdin", stdin=f"{KEY}\nacc_{KEY}\n")
    before = profiles(config_home).get("Prod")
    code, out, err = cli("profiles", "edit", "Prod", "--base-url", BASE.replace("api.bird.com", "evil.example"))
    assert code == 2 and "Updated profile" not in out
    assert err == (
        "birdadmin-cli: Profile 'Prod' has a stored SCIM access key, and the new Base URL points it at evil.example "
        "instead of api.bird.com; give the key for the new Base URL with --key-stdin (it is tested there first), or "
        "pass --keep-keys if the stored key belongs there too. Nothing was changed.\n"
    )
    code, _, err = cli("profiles", "edit", "Prod", "--accounts-url", "https://accounts.evil.example")
    assert code == 2 and "stored Accounts API key" in err and "--accounts-key-stdin" in err
    code, _, err = cli("profiles", "edit", "Prod", "--base-url", BASE.replace(ORG, "0" * 8 + ORG[8:]))
    assert code == 2 and "points it at another address" in err  # another organization on the same host
    assert profiles(config_home).get("Prod") == before
    # the same address written differently, or a cleared Accounts API URL, sends no key anywhere new
    code, _, err = cli("profiles", "edit", "Prod", "--base-url", BASE + "/", "--accounts-url", "")
    assert code == 0, err
    assert profiles(config_home).get("Prod").scim_key_fingerprint == before.scim_key_fingerprint


def test_edit_to_another_server_tests_and_stores_its_key(cli, config_home, global_keyring, scim2_server):
    cli("profiles", "add", "Prod", "--base-url", BASE, "--key-stdin", stdin=KEY + "\n")
    before = profiles(config_home).get("Prod")
    code, _, err = cli("profiles", "edit", "Prod", "--base-url", scim2_server.base_url, "--key-stdin",
                       stdin="wrong-key-for-this-server\n")
    assert code == 3 and "'Prod' was not changed" in err
    assert profiles(config_home).get("Prod") == before
    assert global_keyring.items[(SERVICE, f"{before.id}:scim")] == KEY
    code, _, err = cli("profiles", "edit", "Prod", "--base-url", scim2_server.base_url, "--key-stdin",
                       stdin=scim2_server.key + "\n")
    assert code == 0, err
    assert profiles(config_home).get("Prod").base_url == scim2_server.base_url
    assert global_keyring.items[(SERVICE, f"{before.id}:scim")] == scim2_server.key
