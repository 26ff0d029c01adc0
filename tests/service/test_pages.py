"""The home page and the health check answer, through Django's test client."""

from django.test import Client


def test_home_page_says_what_playground_is(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "<h1>Playground</h1>" in body
    assert "reactive python notebooks" in body.lower()


def test_healthz_reports_ok_as_json(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
