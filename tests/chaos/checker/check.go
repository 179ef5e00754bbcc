package checker

import (
	"fmt"
	"sort"
	"strings"
)

// Input is everything one chaos run wrote.
type Input struct {
	Producers []*ProducerLog
	// Consumers are the live consumers (every incarnation of every member).
	Consumers []*ConsumerLog
	// Final is the read of every partition from its start to its end after
	// the run; nil when there was none.
	Final *ConsumerLog
}

// Categories of findings, in report order. Every one but the info ones is a
// violation.
const (
	Lost           = "lost"             // acknowledged, found nowhere
	Duplicated     = "duplicated"       // one record at more than one offset (extra copies counted)
	Reordered      = "reordered"        // a partition holds a run's seq after a higher seq of the same run
	Unexpected     = "unexpected"       // a record no producer sent
	Misplaced      = "misplaced"        // acknowledged at one offset, found only elsewhere
	Inconsistent   = "inconsistent"     // two reads of one offset returned different records
	Vanished       = "vanished"         // read by a live consumer, gone from the final read
	Missed         = "missed"           // acknowledged, in the log, never delivered to the live consumers
	ClientDataLoss = "client-data-loss" // a client itself detected data loss
	Incomplete     = "incomplete-log"   // the producer or final log was not closed cleanly
	Malformed      = "malformed-line"   // a log line the checker cannot read
)

var violationOrder = []string{Lost, Duplicated, Reordered, Unexpected, Misplaced, Inconsistent,
	Vanished, Missed, ClientDataLoss, Incomplete, Malformed}

// maxExamples bounds the examples kept per category.
const maxExamples = 10

// Report is the outcome of Check.
type Report struct {
	Acknowledged  int64
	Failed        int64 // failed sends: indeterminate, allowed to be present or absent
	FailedPresent int64 // failed sends found in the log
	Read          int64 // distinct (partition, offset) records read
	LiveReads     int64 // records delivered to live consumers, re-deliveries included
	Gaps          int64 // offset gaps inside the final read (information only)
	Counts        map[string]int64
	Examples      map[string][]string
	Notes         []string
}

func newReport() *Report {
	return &Report{Counts: map[string]int64{}, Examples: map[string][]string{}}
}

func (r *Report) add(cat string, n int64, example string) {
	r.Counts[cat] += n
	if len(r.Examples[cat]) < maxExamples {
		r.Examples[cat] = append(r.Examples[cat], example)
	}
}

// Violations is the total of every violation category.
func (r *Report) Violations() int64 {
	var n int64
	for _, c := range violationOrder {
		n += r.Counts[c]
	}
	return n
}

// Text renders the report for people.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "acknowledged        %d\n", r.Acknowledged)
	fmt.Fprintf(&b, "failed (in doubt)   %d (%d of them in the log)\n", r.Failed, r.FailedPresent)
	fmt.Fprintf(&b, "read (distinct)     %d (%d deliveries to live consumers)\n", r.Read, r.LiveReads)
	for _, c := range violationOrder {
		fmt.Fprintf(&b, "%-19s %d\n", c, r.Counts[c])
	}
	fmt.Fprintf(&b, "offset gaps (info)  %d\n", r.Gaps)
	for _, c := range violationOrder {
		for _, e := range r.Examples[c] {
			fmt.Fprintf(&b, "  %s: %s\n", c, e)
		}
		if n := r.Counts[c]; n > int64(len(r.Examples[c])) && len(r.Examples[c]) > 0 {
			fmt.Fprintf(&b, "  %s: ... %d more\n", c, n-int64(len(r.Examples[c])))
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if v := r.Violations(); v == 0 {
		b.WriteString("result: OK (no violations)\n")
	} else {
		fmt.Fprintf(&b, "result: FAILED (%d violations)\n", v)
	}
	return b.String()
}

type loc struct {
	p int32
	o int64
}

func (l loc) String() string { return fmt.Sprintf("p%d@%d", l.p, l.o) }

// entry is what was read at one (partition, offset).
type entry struct {
	obs      Observation
	live     bool   // a live consumer read it
	final    bool   // the final read read it
	conflict bool   // another read of this offset returned another record
	by       string // first log that read it
}

type idKey struct {
	run string
	seq int64
}

// Check compares the logs and reports every violation.
func Check(in Input) *Report {
	r := newReport()
	runs := map[string]*ProducerLog{}
	for _, p := range in.Producers {
		for _, m := range p.Malformed {
			r.add(Malformed, 1, m)
		}
		for _, l := range p.ClientDataLoss {
			r.add(ClientDataLoss, 1, l)
		}
		if p.Torn {
			r.Notes = append(r.Notes, p.Path+": last line torn, ignored")
		}
		if !p.Complete {
			r.add(Incomplete, 1, p.Path+": producer log has no E line (producer did not exit cleanly)")
		}
		if _, dup := runs[p.Run]; dup {
			r.add(Malformed, 1, fmt.Sprintf("%s: run %s appears in two producer logs", p.Path, p.Run))
			continue
		}
		runs[p.Run] = p
	}

	// Every read, keyed by where it was read.
	entries := map[loc]*entry{}
	read := func(c *ConsumerLog, final bool) {
		if c.Torn {
			r.Notes = append(r.Notes, c.Path+": last line torn (writer killed mid-write), ignored")
		}
		for _, m := range c.Malformed {
			r.add(Malformed, 1, m)
		}
		for _, l := range c.ClientDataLoss {
			r.add(ClientDataLoss, 1, l)
		}
		for _, o := range c.Records {
			if !final {
				r.LiveReads++
			}
			k := loc{o.Partition, o.Offset}
			e := entries[k]
			if e == nil {
				e = &entry{obs: o, by: c.Path}
				entries[k] = e
			} else if !sameRecord(e.obs, o) && !e.conflict {
				e.conflict = true
				r.add(Inconsistent, 1, fmt.Sprintf("%v: %s read %s, %s read %s", k, e.by, e.obs.ID(), c.Path, o.ID()))
			}
			if final {
				e.final = true
			} else {
				e.live = true
			}
		}
	}
	for _, c := range in.Consumers {
		read(c, false)
	}
	if in.Final != nil {
		if !in.Final.Complete {
			r.add(Incomplete, 1, in.Final.Path+": final read did not finish")
		}
		read(in.Final, true)
	} else {
		r.Notes = append(r.Notes, "no final read: vanished records not checked")
	}
	r.Read = int64(len(entries))

	// Where each record was found.
	found := map[idKey][]loc{}
	for k, e := range entries {
		o := e.obs
		p := runs[o.Run]
		if o.Raw != "" || p == nil {
			r.add(Unexpected, 1, fmt.Sprintf("%v holds %q, which no producer in this run sent", k, o.ID()))
			continue
		}
		if o.Seq >= int64(len(p.seqs)) || p.seqs[o.Seq].state == stateUnknown {
			r.add(Unexpected, 1, fmt.Sprintf("%v holds %s, which the producer never logged as sent", k, o.ID()))
			continue
		}
		id := idKey{o.Run, o.Seq}
		found[id] = append(found[id], k)
	}

	liveConsumers := len(in.Consumers) > 0
	if !liveConsumers {
		r.Notes = append(r.Notes, "no live consumer logs: delivery to consumers not checked")
	}
	runNames := make([]string, 0, len(runs))
	for name := range runs {
		runNames = append(runNames, name)
	}
	sort.Strings(runNames)
	for _, name := range runNames {
		p := runs[name]
		for seq := range p.seqs {
			s := &p.seqs[seq]
			id := idKey{name, int64(seq)}
			locs := found[id]
			sortLocs(locs)
			if len(locs) > 1 {
				r.add(Duplicated, int64(len(locs)-1), fmt.Sprintf("%s/%d found at %v", name, seq, locs))
			}
			switch s.state {
			case stateAcked:
				r.Acknowledged++
				at := loc{s.partition, s.offset}
				if len(locs) == 0 {
					r.add(Lost, 1, fmt.Sprintf("%s/%d acknowledged at %v, read nowhere", name, seq, at))
					continue
				}
				if !containsLoc(locs, at) {
					r.add(Misplaced, 1, fmt.Sprintf("%s/%d acknowledged at %v, read at %v", name, seq, at, locs))
				}
				if liveConsumers && !anyLive(entries, locs) {
					r.add(Missed, 1, fmt.Sprintf("%s/%d at %v is in the log but no live consumer received it", name, seq, locs))
				}
			case stateFailed:
				r.Failed++
				if len(locs) > 0 {
					r.FailedPresent++
				}
			}
		}
	}

	checkOrder(r, entries, runs)
	if in.Final != nil && in.Final.Complete {
		checkVanished(r, entries)
		r.Gaps = countGaps(in.Final)
	}
	return r
}

func sameRecord(a, b Observation) bool {
	return a.Raw == b.Raw && a.Run == b.Run && a.Seq == b.Seq
}

func sortLocs(ls []loc) {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].p != ls[j].p {
			return ls[i].p < ls[j].p
		}
		return ls[i].o < ls[j].o
	})
}

func containsLoc(ls []loc, l loc) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

func anyLive(entries map[loc]*entry, ls []loc) bool {
	for _, l := range ls {
		if entries[l].live {
			return true
		}
	}
	return false
}

// checkOrder: in each partition, one run's records must appear in the order
// they were sent (a producer with idempotence keeps order per partition).
func checkOrder(r *Report, entries map[loc]*entry, runs map[string]*ProducerLog) {
	byPart := map[int32][]*entry{}
	for k, e := range entries {
		if e.obs.Raw != "" || runs[e.obs.Run] == nil {
			continue
		}
		byPart[k.p] = append(byPart[k.p], e)
	}
	parts := make([]int32, 0, len(byPart))
	for p := range byPart {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	for _, p := range parts {
		es := byPart[p]
		sort.Slice(es, func(i, j int) bool { return es[i].obs.Offset < es[j].obs.Offset })
		type last struct {
			seq int64
			off int64
		}
		max := map[string]last{}
		for _, e := range es {
			m, ok := max[e.obs.Run]
			if ok && e.obs.Seq < m.seq {
				r.add(Reordered, 1, fmt.Sprintf("p%d: %s at offset %d comes after %s/%d at offset %d",
					p, e.obs.ID(), e.obs.Offset, e.obs.Run, m.seq, m.off))
				continue
			}
			max[e.obs.Run] = last{e.obs.Seq, e.obs.Offset}
		}
	}
}

// checkVanished: a record a live consumer read must still be in the log at
// the end (consumers only read committed records, and those are never
// truncated).
func checkVanished(r *Report, entries map[loc]*entry) {
	var ks []loc
	for k, e := range entries {
		if e.live && !e.final {
			ks = append(ks, k)
		}
	}
	sortLocs(ks)
	for _, k := range ks {
		r.add(Vanished, 1, fmt.Sprintf("%v: %s was read by %s but is not in the final read", k, entries[k].obs.ID(), entries[k].by))
	}
}

// countGaps counts holes in the offsets the final read returned, per
// partition, between its first and last record.
func countGaps(c *ConsumerLog) int64 {
	byPart := map[int32][]int64{}
	for _, o := range c.Records {
		byPart[o.Partition] = append(byPart[o.Partition], o.Offset)
	}
	var gaps int64
	for _, offs := range byPart {
		sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
		for i := 1; i < len(offs); i++ {
			if offs[i] > offs[i-1]+1 {
				gaps++
			}
		}
	}
	return gaps
}
