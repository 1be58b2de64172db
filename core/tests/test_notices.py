"""The notice channel: the backend NOTICE_BACKEND names, the file backend's one file per message, and the
HTTP gateway's failures, which the caller records and retries."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.notices import NoticeError, text_message_send
from core.tests.gateway import FakeGateway

BASE_DIR = Path(__file__).resolve().parents[2]
TEXT = "[강서CS지점] 고객님의 새 담당 컨설턴트는 김하나입니다."


@pytest.fixture
def notices_folder(settings, tmp_path) -> Path:
    settings.NOTICE_BACKEND = "file"
    settings.NOTICE_FILE_PATH = tmp_path / "notices"
    return settings.NOTICE_FILE_PATH


@pytest.fixture
def gateway(settings):
    with FakeGateway() as fake:
        settings.NOTICE_BACKEND = "http"
        settings.NOTICE_HTTP_URL = fake.url
        settings.NOTICE_HTTP_API_KEY = "secret-key"
        settings.NOTICE_HTTP_TIMEOUT = 1
        yield fake


class TestFileBackend:
    def test_it_writes_each_message_to_a_file_of_its_own(self, notices_folder):
        assert text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-1-20261130")
        assert text_message_send(to="01087654321", text=TEXT, message_id="customer-notice-2-20261130")

        files = sorted(notices_folder.glob("*.txt"))
        assert [file.name for file in files] == ["customer-notice-1-20261130.txt", "customer-notice-2-20261130.txt"]
        content = files[0].read_text(encoding="utf-8")
        assert content.startswith("To: 01012345678\nMessage-Id: customer-notice-1-20261130\n")
        assert content.endswith(f"\n\n{TEXT}\n")

    def test_a_message_sent_again_is_not_written_twice(self, notices_folder):
        assert text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-1-20261130")
        assert not text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-1-20261130")

        assert [file.name for file in notices_folder.iterdir()] == ["customer-notice-1-20261130.txt"]

    def test_it_refuses_an_id_that_is_no_file_name(self, notices_folder):
        with pytest.raises(ValueError, match="message id"):
            text_message_send(to="01012345678", text=TEXT, message_id="../outside")


class TestHttpBackend:
    def test_it_posts_the_message_as_json_with_the_key_and_the_id(self, gateway):
        assert text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-7-20261130")

        (request,) = gateway.received
        assert request["body"] == {"to": "01012345678", "text": TEXT, "message_id": "customer-notice-7-20261130"}
        assert request["headers"]["Authorization"] == "Bearer secret-key"
        assert request["headers"]["Idempotency-Key"] == "customer-notice-7-20261130"
        assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"

    @pytest.mark.parametrize("status", [500, 429, 404, 302])
    def test_an_answer_other_than_2xx_is_a_failure(self, gateway, status):
        gateway.answer = status
        gateway.redirect_to = gateway.url if status == 302 else ""

        with pytest.raises(NoticeError, match=str(status)):
            text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-7-20261130")

        assert len(gateway.received) == 1, "a redirect is not followed"

    def test_a_gateway_that_does_not_answer_in_time_is_a_failure(self, gateway):
        gateway.delay = 1.5

        with pytest.raises(NoticeError, match="timed out"):
            text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-7-20261130")

    def test_a_gateway_that_cannot_be_reached_is_a_failure_that_names_neither_address_nor_key(self, settings):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        settings.NOTICE_BACKEND = "http"
        settings.NOTICE_HTTP_URL = f"http://127.0.0.1:{port}/send"
        settings.NOTICE_HTTP_API_KEY = "secret-key"

        with pytest.raises(NoticeError) as caught:
            text_message_send(to="01012345678", text=TEXT, message_id="customer-notice-7-20261130")

        assert "refused" in str(caught.value).lower()
        assert str(port) not in str(caught.value)
        assert "secret-key" not in str(caught.value)


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NOTICE_") and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.NOTICE_BACKEND, s.NOTICE_HTTP_TIMEOUT)"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


class TestSettings:
    def test_the_file_backend_is_the_default(self):
        result = _load_settings()
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["file", "5"]

    def test_the_gateway_is_chosen_by_the_environment(self):
        result = _load_settings(NOTICE_BACKEND="http", NOTICE_HTTP_URL="https://sms.example.com/send")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[0] == "http"

    @pytest.mark.parametrize(
        ("env", "message"),
        [
            ({"NOTICE_BACKEND": "smtp"}, "NOTICE_BACKEND must be file or http"),
            ({"NOTICE_BACKEND": "http"}, "NOTICE_HTTP_URL must be set"),
            ({"NOTICE_HTTP_URL": "ftp://sms.example.com"}, "NOTICE_HTTP_URL must start with"),
            ({"NOTICE_HTTP_TIMEOUT": "0"}, "NOTICE_HTTP_TIMEOUT must be at least 1"),
        ],
    )
    def test_it_refuses_to_start_with_a_bad_value(self, env, message):
        result = _load_settings(**env)
        assert result.returncode != 0
        assert message in result.stderr
