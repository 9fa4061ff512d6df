"""What an integrator new to the API meets first (a web shop or a till syncing customers and
purchases, with only docs/api.md): every refusal says what was wrong and what to send instead,
in the language asked for, in the shape of the others, and changes nothing."""

import json

import pytest

from klantvriend.customers.models import Customer


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The body is not JSON (it breaks off at line 1, column 2): send one JSON object, "
            'such as {"name": "Anna"}.',
        ),
        (
            "nl",
            "De body is geen JSON (hij loopt vast op regel 1, kolom 2): stuur één JSON-object, "
            'zoals {"name": "Anna"}.',
        ),
    ],
)
def test_a_body_that_is_not_json_says_where_it_broke_off_in_the_language_asked_for(
    api, business, language, expected
):
    response = api.post(
        "/api/v1/customers",
        data="{name: 'Anna'}",
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": expected}
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", 'The body is not JSON: send one JSON object in UTF-8, such as {"name": "Anna"}.'),
        ("nl", 'De body is geen JSON: stuur één JSON-object in UTF-8, zoals {"name": "Anna"}.'),
    ],
)
def test_a_body_that_is_not_text_is_refused_in_the_language_asked_for(
    api, business, language, expected
):
    response = api.post(
        "/api/v1/customers",
        data=b"\xff\xfe\xfa",
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": expected}
    assert Customer.objects.count() == 0


def post(api, url, data, language="en"):
    return api.post(
        url,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Accept-Language": language},
    )
