"""Production settings pass `check --deploy` with zero warnings and refuse to start without secrets."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args, "--settings=config.settings.prod"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_prod_settings_pass_check_deploy_with_no_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "kefu.example.com",
            "DATABASE_URL": "postgres://kefu@db.example.com:5432/kefu",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_prod_settings_refuse_missing_secret_key():
    result = _manage("check", env={"DATABASE_URL": "postgres://kefu@db.example.com:5432/kefu"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_prod_settings_refuse_missing_database_url():
    result = _manage("check", env={"DJANGO_SECRET_KEY": secrets.token_urlsafe(64)})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
