package checker

import (
	"fmt"
	"strings"
	"testing"
)

// A healthy run: 3 partitions, 30 records, seq i on partition i%3 at offset
// i/3. Tests corrupt copies of these logs and expect the checker to notice.
type run struct {
	producer []string
	live     [][]string // one log per live consumer
	final    []string
}

func healthy() *run {
	r := &run{producer: []string{"R r1 t"}}
	c1 := []string{"M c1 group"}
	c2 := []string{"M c2 group"}
	final := []string{"M final final"}
	for i := 0; i < 30; i++ {
		p, o := i%3, i/3
		r.producer = append(r.producer, fmt.Sprintf("A %d %d %d", i, p, o))
		line := fmt.Sprintf("C %d %d r1/%d", p, o, i)
		if p == 0 {
			c1 = append(c1, line)
		} else {
			c2 = append(c2, line)
		}
		final = append(final, line)
	}
	r.producer = append(r.producer, "E 30 30 0")
	c1 = append(c1, "E 10")
	c2 = append(c2, "E 20")
	final = append(final, "H 0 10", "H 1 10", "H 2 10", "E 30")
	r.live = [][]string{c1, c2}
	r.final = final
	return r
}

// text joins lines into a log; a last line starting with '~' is written
// without its newline (a torn write).
func text(lines []string) string {
	if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "~") {
		return strings.Join(append(append([]string{}, lines[:n-1]...), lines[n-1][1:]), "\n")
	}
	return strings.Join(lines, "\n") + "\n"
}

func (r *run) check(t *testing.T) *Report {
	t.Helper()
	p, err := ParseProducerLog("producer.log", strings.NewReader(text(r.producer)))
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Producers: []*ProducerLog{p}}
	for i, l := range r.live {
		c, err := ParseConsumerLog(fmt.Sprintf("consumer-%d.log", i), strings.NewReader(text(l)))
		if err != nil {
			t.Fatal(err)
		}
		in.Consumers = append(in.Consumers, c)
	}
	if r.final != nil {
		f, err := ParseConsumerLog("final.log", strings.NewReader(text(r.final)))
		if err != nil {
			t.Fatal(err)
		}
		in.Final = f
	}
	rep := Check(in)
	t.Log("\n" + rep.Text())
	return rep
}

// remove deletes the first line equal to s; replace swaps it.
func remove(lines []string, s string) []string {
	for i, l := range lines {
		if l == s {
			return append(append([]string{}, lines[:i]...), lines[i+1:]...)
		}
	}
	panic("no line " + s)
}

func replace(lines []string, old, new string) []string {
	for i, l := range lines {
		if l == old {
			out := append([]string{}, lines...)
			out[i] = new
			return out
		}
	}
	panic("no line " + old)
}

// insertBefore adds lines before the E line.
func insertBefore(lines []string, add ...string) []string {
	out := append([]string{}, lines[:len(lines)-1]...)
	out = append(out, add...)
	return append(out, lines[len(lines)-1])
}

func expectOnly(t *testing.T, rep *Report, want map[string]int64) {
	t.Helper()
	for _, c := range violationOrder {
		if rep.Counts[c] != want[c] {
			t.Errorf("%s = %d, want %d", c, rep.Counts[c], want[c])
		}
	}
	if rep.Violations() != sum(want) {
		t.Errorf("violations = %d, want %d", rep.Violations(), sum(want))
	}
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func TestHealthyRunHasNoViolations(t *testing.T) {
	rep := healthy().check(t)
	expectOnly(t, rep, nil)
	if rep.Acknowledged != 30 || rep.Read != 30 || rep.LiveReads != 30 || rep.Gaps != 0 {
		t.Errorf("acknowledged %d read %d live %d gaps %d", rep.Acknowledged, rep.Read, rep.LiveReads, rep.Gaps)
	}
	if !strings.Contains(rep.Text(), "result: OK") {
		t.Error("text does not say OK")
	}
}

func TestRedeliveryAtTheSameOffsetIsNotADuplicate(t *testing.T) {
	r := healthy()
	// A consumer restarted and read offsets 0-2 of partition 1 again.
	r.live = append(r.live, []string{"M c2b group", "C 1 0 r1/1", "C 1 1 r1/4", "C 1 2 r1/7"})
	rep := r.check(t)
	expectOnly(t, rep, nil)
	if rep.LiveReads != 33 {
		t.Errorf("live reads = %d, want 33", rep.LiveReads)
	}
}

func TestAcknowledgedRecordReadNowhereIsLost(t *testing.T) {
	r := healthy()
	r.live[1] = remove(r.live[1], "C 1 3 r1/10")
	r.final = remove(r.final, "C 1 3 r1/10")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Lost: 1})
	if !strings.Contains(rep.Examples[Lost][0], "r1/10 acknowledged at p1@3") {
		t.Errorf("example %q", rep.Examples[Lost][0])
	}
	if !strings.Contains(rep.Text(), "result: FAILED") {
		t.Error("text does not say FAILED")
	}
}

func TestRecordAtTwoOffsetsIsDuplicated(t *testing.T) {
	r := healthy()
	r.live[0] = insertBefore(r.live[0], "C 0 10 r1/27")
	r.final = insertBefore(r.final, "C 0 10 r1/27")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Duplicated: 1})
}

func TestSwappedRecordsAreReorderedAndMisplaced(t *testing.T) {
	r := healthy()
	// Offsets 2 and 3 of partition 2 hold seqs 11 and 8: out of order, and
	// neither where the producer was told.
	for _, l := range [][]string{r.live[1], r.final} {
		copy(l, replace(replace(l, "C 2 2 r1/8", "C 2 2 r1/11"), "C 2 3 r1/11", "C 2 3 r1/8"))
	}
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Reordered: 1, Misplaced: 2})
}

func TestRecordsNobodySentAreUnexpected(t *testing.T) {
	r := healthy()
	extra := []string{"C 0 10 r2/0", "C 1 10 r1/99", "C 2 10 ?deadbeef"}
	r.live[0] = insertBefore(r.live[0], extra...)
	r.final = insertBefore(r.final, extra...)
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Unexpected: 3})
}

func TestTwoReadsOfOneOffsetDisagreeingAreInconsistent(t *testing.T) {
	r := healthy()
	// A second incarnation read partition 0 offset 4 as another record.
	r.live = append(r.live, []string{"M c1b group", "C 0 4 r1/15"})
	rep := r.check(t)
	// The first read of p0@4 (r1/12) is the one the other checks use.
	expectOnly(t, rep, map[string]int64{Inconsistent: 1})
}

func TestReadThenTruncatedIsVanished(t *testing.T) {
	r := healthy()
	r.final = remove(r.final, "C 2 9 r1/29")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Vanished: 1})
}

func TestInTheLogButNeverDeliveredIsMissed(t *testing.T) {
	r := healthy()
	r.live[1] = remove(r.live[1], "C 1 5 r1/16")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Missed: 1})
}

func TestFailedSendsMayBePresentOrAbsent(t *testing.T) {
	r := healthy()
	r.producer = replace(r.producer, "A 4 1 1", "F 4 1 timed out")
	r.producer = replace(r.producer, "A 5 2 1", "F 5 2 timed out")
	r.live[1] = remove(r.live[1], "C 2 1 r1/5")
	r.final = remove(r.final, "C 2 1 r1/5")
	rep := r.check(t)
	expectOnly(t, rep, nil)
	if rep.Failed != 2 || rep.FailedPresent != 1 || rep.Acknowledged != 28 {
		t.Errorf("failed %d present %d acknowledged %d", rep.Failed, rep.FailedPresent, rep.Acknowledged)
	}
}

func TestUnfinishedProducerOrFinalLogIsIncomplete(t *testing.T) {
	r := healthy()
	r.producer = r.producer[:len(r.producer)-1]
	r.final = r.final[:len(r.final)-1]
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Incomplete: 2})
}

func TestKilledConsumerLogWithoutEndIsFine(t *testing.T) {
	r := healthy()
	r.live = append(r.live, []string{"M c3 group", "C 0 0 r1/0"})
	expectOnly(t, r.check(t), nil)
}

func TestTornLastLineOfAKilledConsumerIsIgnored(t *testing.T) {
	r := healthy()
	// "C 1 9 r1/28" cut after "r1/2": whole-looking, but it has no newline.
	r.live = append(r.live, []string{"M c3 group", "C 0 0 r1/0", "~C 1 9 r1/2"})
	rep := r.check(t)
	expectOnly(t, rep, nil)
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "torn") {
		t.Errorf("notes %v", rep.Notes)
	}
}

func TestGarbageLinesAreMalformed(t *testing.T) {
	r := healthy()
	r.producer = insertBefore(r.producer, "A 7", "Z what", "A -1 0 0")
	r.live[0] = insertBefore(r.live[0], "C x 1 r1/0")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Malformed: 4})
}

func TestConflictingAcknowledgementsAreMalformed(t *testing.T) {
	r := healthy()
	r.producer = insertBefore(r.producer, "A 3 1 9", "F 6 0 late failure")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{Malformed: 2})
}

func TestClientDetectedDataLossIsReported(t *testing.T) {
	r := healthy()
	r.producer = insertBefore(r.producer, "L 2 producer saw its sequence go back")
	r.live[0] = insertBefore(r.live[0], "L 0 fetch offset beyond log end")
	rep := r.check(t)
	expectOnly(t, rep, map[string]int64{ClientDataLoss: 2})
}

func TestWithoutFinalReadVanishedIsNotChecked(t *testing.T) {
	r := healthy()
	r.final = nil
	rep := r.check(t)
	expectOnly(t, rep, nil)
	if len(rep.Notes) == 0 {
		t.Error("no note about the missing final read")
	}
}

func TestFinalReadGapsAreInformationOnly(t *testing.T) {
	r := healthy()
	r.producer = replace(r.producer, "A 9 0 3", "F 9 0 timed out")
	r.live[0] = remove(r.live[0], "C 0 3 r1/9")
	r.final = remove(r.final, "C 0 3 r1/9")
	rep := r.check(t)
	expectOnly(t, rep, nil)
	if rep.Gaps != 1 {
		t.Errorf("gaps = %d, want 1", rep.Gaps)
	}
}

func TestLogsWithoutHeaderAreRejected(t *testing.T) {
	if _, err := ParseProducerLog("p", strings.NewReader("A 1 0 0\n")); err == nil {
		t.Error("producer log without R line accepted")
	}
	if _, err := ParseConsumerLog("c", strings.NewReader("C 1 0 r/0\n")); err == nil {
		t.Error("consumer log without M line accepted")
	}
}

func TestHugeSequenceNumbersAreMalformedNotAllocated(t *testing.T) {
	p, err := ParseProducerLog("p", strings.NewReader("R r t\nA 99999999999 0 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Malformed) != 1 || len(p.seqs) != 0 {
		t.Errorf("malformed %v, %d seqs", p.Malformed, len(p.seqs))
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		id  string
		run string
		seq int64
		ok  bool
	}{
		{"abc/12", "abc", 12, true},
		{"a/b/3", "a/b", 3, true},
		{"/3", "", 0, false},
		{"abc", "", 0, false},
		{"abc/x", "", 0, false},
		{"abc/-1", "", 0, false},
	} {
		run, seq, ok := ParseID(tc.id)
		if run != tc.run || seq != tc.seq || ok != tc.ok {
			t.Errorf("ParseID(%q) = %q %d %v", tc.id, run, seq, ok)
		}
	}
}
