"""What a first batch of typed records loads: only its own source's models.

Each check runs in a fresh interpreter, since this test session has loaded every
module already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MODELS = ("_sqs", "_kinesis", "_dynamodb", "_envelopes")

# One record of each source, processed with the default typed records; the child
# then prints the record modules it holds.
CHILD = """
import json, sys
import asyncbatch

record = {
    "aws:sqs": {"messageId": "m-1", "receiptHandle": "r", "body": "hi"},
    "aws:kinesis": {
        "kinesis": {"partitionKey": "k", "sequenceNumber": "1", "data": "aGk="}
    },
    "aws:dynamodb": {"dynamodb": {"Keys": {"id": {"S": "a"}}, "SequenceNumber": "1"}},
}[sys.argv[1]]
event = {"Records": [{**record, "eventSource": sys.argv[1]}]}
asyncbatch.process_partial_response(event, lambda record: None)
prefix = "asyncbatch._records."
print(json.dumps([name[len(prefix):] for name in sys.modules if name.startswith(prefix)]))
"""


@pytest.mark.parametrize(
    ("source", "module"),
    [
        ("aws:sqs", "_sqs"),
        ("aws:kinesis", "_kinesis"),
        ("aws:dynamodb", "_dynamodb"),
    ],
)
def test_a_batch_loads_only_its_source_models(source: str, module: str) -> None:
    """A first batch imports its own source's record module and no other."""
    loaded = json.loads(_run(CHILD, source))
    assert module in loaded
    assert [name for name in MODELS if name in loaded] == [module]


def test_raw_records_never_load_pydantic() -> None:
    """asyncbatch, its testing helpers and a ``model=dict`` batch leave pydantic out."""
    code = (
        "import sys, asyncbatch, asyncbatch.testing as t\n"
        "event = t.dynamodb_event(count=2)\n"
        "asyncbatch.BatchProcessor(model=dict).process(event, lambda record: None)\n"
        "print('pydantic' in sys.modules)\n"
    )
    assert _run(code).split() == ["False"]


def _run(code: str, *args: str) -> str:
    """What ``code`` prints, run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_envelope_loads_only_its_module() -> None:
    """Naming an envelope on the package loads the envelope models and no source's."""
    code = (
        "import sys\n"
        "from asyncbatch import S3EventNotification, SnsNotification\n"
        "prefix = 'asyncbatch._records.'\n"
        "print(*sorted(n[len(prefix):] for n in sys.modules if n.startswith(prefix)))\n"
    )
    loaded = _run(code).split()

    assert [name for name in MODELS if name in loaded] == ["_envelopes"]
