"""Self-test of the checker in spec.py: a correct run passes, and each kind of
wrong run fails with a message naming the problem. No Kafka needed.

    python3 tests/interop/spec_test.py
"""

import json
import os
import shutil
import tempfile
import unittest

import spec

COUNT, EXTRA, PARTS = 300, 7, 3
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def good_run():
    """What a correct client writes: records partitioned by key, offsets in
    produce order, two members splitting the partitions, a clean resume."""
    produced, consumed = [], []
    next_offset = [0] * PARTS
    for i in range(COUNT + EXTRA):
        p = (i % spec.KEYS) % PARTS
        produced.append({"seq": i, "p": p, "o": next_offset[p]})
        next_offset[p] += 1
    for r in produced:
        i = r["seq"]
        phase = "group" if i < COUNT else "resume"
        member = ("c1" if r["p"] < 2 else "c2") if phase == "group" else "r1"
        consumed.append({"phase": phase, "member": member, "p": r["p"], "o": r["o"],
                         "k": spec.key_of(i), "v": spec.value_of(i, COUNT, CODECS),
                         "h": [list(h) for h in spec.headers_of(i, COUNT, CODECS)]})
    return produced, consumed


class CheckerTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def check(self, produced, consumed):
        for name, rows in (("produced.jsonl", produced), ("consumed.jsonl", consumed)):
            with open(os.path.join(self.dir, name), "w") as f:
                for r in rows:
                    f.write(json.dumps(r) + "\n")
        return spec.check(self.dir, COUNT, EXTRA, CODECS, PARTS)

    def assertFails(self, produced, consumed, words):
        with self.assertRaises(spec.CheckFailed) as e:
            self.check(produced, consumed)
        self.assertIn(words, str(e.exception))

    def test_correct_run_passes(self):
        produced, consumed = good_run()
        self.assertIn("restarted group got exactly the 7 new ones", self.check(produced, consumed))

    def test_correct_run_without_delivery_reports_passes(self):
        _, consumed = good_run()
        self.check([], consumed)

    def test_redelivery_of_the_same_record_is_tolerated_in_the_group_phase(self):
        produced, consumed = good_run()
        again = [dict(r, member="c2") for r in consumed if r["member"] == "c1"][:5]
        self.assertIn("5 redelivered", self.check(produced, consumed + again))

    def test_changed_value_fails(self):
        produced, consumed = good_run()
        consumed[10]["v"] = consumed[10]["v"] + "y"
        self.assertFails(produced, consumed, "value")

    def test_wrong_codec_in_value_fails(self):
        produced, consumed = good_run()
        consumed[0]["v"] = consumed[0]["v"].replace("codec=none", "codec=gzip")
        self.assertFails(produced, consumed, "want 'seq=0;codec=none")

    def test_changed_key_fails(self):
        produced, consumed = good_run()
        consumed[4]["k"] = "key-999"
        self.assertFails(produced, consumed, "key 'key-999'")

    def test_lost_header_fails(self):
        produced, consumed = good_run()
        consumed[3]["h"] = consumed[3]["h"][:1]
        self.assertFails(produced, consumed, "headers")

    def test_missing_record_fails(self):
        produced, consumed = good_run()
        del consumed[42]
        self.assertFails(produced, consumed, "never consumed")

    def test_reordered_partition_fails(self):
        produced, consumed = good_run()
        a, b = [i for i, r in enumerate(consumed) if r["p"] == 0 and r["phase"] == "group"][3:5]
        consumed[a]["o"], consumed[b]["o"] = consumed[b]["o"], consumed[a]["o"]
        consumed[a], consumed[b] = consumed[b], consumed[a]
        self.assertFails(produced, consumed, "produce order lost")

    def test_one_member_getting_every_record_passes_and_is_reported(self):
        produced, consumed = good_run()
        for r in consumed:
            if r["phase"] == "group":
                r["member"] = "c1"
        self.assertIn("consumed by the group (c1 %d)" % COUNT, self.check(produced, consumed))

    def test_records_from_a_third_member_fail(self):
        produced, consumed = good_run()
        consumed[0]["member"] = "c3"
        self.assertFails(produced, consumed, "want at most 2")

    def test_resume_from_old_offsets_fails(self):
        produced, consumed = good_run()
        old = [dict(r, phase="resume", member="r1") for r in consumed if r["phase"] == "group"][-3:]
        self.assertFails(produced, consumed + old, "did not resume from its committed offsets")

    def test_resume_missing_a_new_record_fails(self):
        produced, consumed = good_run()
        consumed = [r for r in consumed if not (r["phase"] == "resume" and spec.seq_of(r["v"]) == COUNT + 2)]
        self.assertFails(produced, consumed, "new records never consumed")

    def test_resume_duplicate_fails(self):
        produced, consumed = good_run()
        consumed.append(dict([r for r in consumed if r["phase"] == "resume"][0]))
        self.assertFails(produced, consumed, "more than once")

    def test_delivery_report_mismatch_fails(self):
        produced, consumed = good_run()
        produced[7]["o"] += 1000
        self.assertFails(produced, consumed, "another partition/offset")

    def test_two_records_at_one_offset_fails(self):
        produced, consumed = good_run()
        twin = dict(consumed[20])
        other = [r for r in consumed if r["p"] == twin["p"] and r["o"] != twin["o"]][0]
        bogus = dict(other, o=twin["o"], member="c9")
        self.assertFails(produced, consumed + [bogus], "offset delivered twice with different records")

    def test_key_in_two_partitions_fails(self):
        produced, consumed = good_run()
        r = [r for r in consumed if r["k"] == "key-1"][1]
        r["p"] = (r["p"] + 1) % PARTS
        r["o"] = 100000
        self.assertFails([], consumed, "was in partition")

    def test_foreign_record_fails(self):
        produced, consumed = good_run()
        consumed.append(dict(consumed[0], v="hello", o=99999))
        self.assertFails(produced, consumed, "not a record of this run")


class RunsTest(unittest.TestCase):
    def test_runs_cover_the_range_with_one_codec_and_header_set_each(self):
        for hblock in (1, 7, 250):
            covered = []
            runs = []
            lo = 0
            # Mirror of `spec.py runs`: contiguous, and constant within a run.
            while lo < COUNT + EXTRA:
                hi = lo + 1
                sig = (spec.codec_of(lo, COUNT, CODECS), spec.headers_of(lo, COUNT, CODECS, hblock))
                while hi < COUNT + EXTRA and (spec.codec_of(hi, COUNT, CODECS),
                                              spec.headers_of(hi, COUNT, CODECS, hblock)) == sig:
                    hi += 1
                runs.append((lo, hi))
                covered.extend(range(lo, hi))
                lo = hi
            self.assertEqual(covered, list(range(COUNT + EXTRA)))


if __name__ == "__main__":
    unittest.main()
