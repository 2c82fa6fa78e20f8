"""`requestid.sane_request_id`: the caller's id when sane, else a fresh one each time."""

import os
import re

from servicedesk_shared.requestid import sane_request_id


def test_a_sane_id_is_kept_and_an_insane_one_replaced():
    assert sane_request_id(b"abc-123.def:45") == "abc-123.def:45"
    for raw in (None, b"", b"short", b"bad id with spaces", b"x" * 129):
        assert re.fullmatch(r"[0-9a-f]{32}", sane_request_id(raw))


def test_made_ids_do_not_repeat():
    made = {sane_request_id(None) for _ in range(10_000)}
    assert len(made) == 10_000


def test_a_forked_child_makes_other_ids_than_its_parent():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its next id and leave at once
        os.write(write, sane_request_id(None).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    assert child != sane_request_id(None)
