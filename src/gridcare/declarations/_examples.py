"""A sample declaration form, for docs, doctests and first experiments.

>>> example_form()["legs"][0]["number"]
'G1234'
"""

from __future__ import annotations

from typing import Any

__all__ = ["example_form"]


def example_form() -> dict[str, Any]:
    """A valid form payload (a fresh dict each call): a train from Wuhan on 2022-03-19.

    Times are naive local times, as a web form sends them.

    >>> sorted(example_form())[:4]
    ['address', 'consent', 'filled_by', 'health']
    """
    return {
        "identity": {"name": "刘晓娟", "id_kind": "citizen_id", "id_number": "11010519491231002X"},
        "phone": "13812345678",
        "address": {"community": "430211001001", "building": "3", "unit": "2", "room": "301"},
        "origin": {"area": "420106", "detail": "武昌区中南路"},
        "legs": [
            {
                "mode": "train",
                "number": "G1234",
                "seat": "05车12A",
                "departure_place": "武汉",
                "departed_at": "2022-03-19T16:30:00",
                "arrival_place": "株洲西",
                "arrived_at": "2022-03-19T18:30:00",
            }
        ],
        "stays": [
            {"place": "420106", "start": "2022-03-10T00:00:00", "end": "2022-03-19T15:00:00"}
        ],
        "health": {
            "temperatures": [{"at": "2022-03-19T08:00:00", "celsius": 36.5}],
            "symptoms": [],
            "nat_results": [
                {
                    "sampled_at": "2022-03-18T09:00:00+08:00",
                    "result": "negative",
                    "institution": "武汉协和医院",
                }
            ],
            "vaccination_doses": 3,
        },
        "health_code": "green",
        "filled_by": "self",
        "consent": True,
    }
