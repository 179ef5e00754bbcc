// Command gregor-interop-go runs the interop scenario with franz-go (kgo) and
// its admin package kadm: kadm.CreateTopics; one idempotent producer per
// compression codec; a group of two consumers (cooperative-sticky, franz-go's
// default) that commit; kadm.ListGroups/DescribeGroups/FetchOffsets/
// ListEndOffsets while both are members; more records; a restarted group must
// resume at the commit. Writes produced.jsonl and consumed.jsonl for
// tests/interop/spec.py, whose record functions this file mirrors.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	origin = "gregor-interop"
	keys   = 37
)

type scenario struct {
	bootstrap  []string
	topic      string
	group      string
	out        string
	count      int
	extra      int
	partitions int
	codecs     []string
	timeout    time.Duration
	quiet      time.Duration

	mu       sync.Mutex
	consumed *bufio.Writer
	seen     map[string]map[int]bool // phase -> seqs
}

// ------------------------------------------------------------ records (spec.py)

func (s *scenario) codecOf(i int) string {
	if i >= s.count {
		return "none"
	}
	return s.codecs[i*len(s.codecs)/s.count]
}

func keyOf(i int) string { return fmt.Sprintf("key-%d", i%keys) }

func (s *scenario) valueOf(i int) string {
	return fmt.Sprintf("seq=%d;codec=%s;pad=%s", i, s.codecOf(i), strings.Repeat("x", i%64))
}

func (s *scenario) headersOf(i int) []kgo.RecordHeader {
	if i%3 != 0 {
		return nil
	}
	return []kgo.RecordHeader{{Key: "origin", Value: []byte(origin)}, {Key: "codec", Value: []byte(s.codecOf(i))}}
}

func seqOf(v string) int {
	if !strings.HasPrefix(v, "seq=") {
		return -1
	}
	head, _, _ := strings.Cut(v[4:], ";")
	n, err := strconv.Atoi(head)
	if err != nil {
		return -1
	}
	return n
}

func codecOption(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.NoCompression(), fmt.Errorf("unknown codec %q", name)
}

// ------------------------------------------------------------ output

type row struct {
	Phase  string      `json:"phase"`
	Member string      `json:"member"`
	P      int32       `json:"p"`
	O      int64       `json:"o"`
	K      *string     `json:"k"`
	V      *string     `json:"v"`
	H      [][2]string `json:"h"`
}

func (s *scenario) record(phase, member string, r *kgo.Record) {
	out := row{Phase: phase, Member: member, P: r.Partition, O: r.Offset, H: [][2]string{}}
	if r.Key != nil {
		k := string(r.Key)
		out.K = &k
	}
	if r.Value != nil {
		v := string(r.Value)
		out.V = &v
	}
	for _, h := range r.Headers {
		out.H = append(out.H, [2]string{h.Key, string(h.Value)})
	}
	b, _ := json.Marshal(out)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consumed.Write(append(b, '\n'))
	if out.V != nil {
		if seq := seqOf(*out.V); seq >= 0 {
			s.seen[phase][seq] = true
		}
	}
}

func (s *scenario) seenIn(phase string, lo, hi int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for seq := range s.seen[phase] {
		if seq >= lo && seq < hi {
			n++
		}
	}
	return n
}

func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[franz-go] "+format+"\n", args...)
}

// ------------------------------------------------------------ steps

func (s *scenario) produce(ctx context.Context, lo, hi int, perCodec bool, produced *bufio.Writer) error {
	var order []string
	chunks := map[string][]int{}
	for i := lo; i < hi; i++ {
		c := "none"
		if perCodec {
			c = s.codecOf(i)
		}
		if _, ok := chunks[c]; !ok {
			order = append(order, c)
		}
		chunks[c] = append(chunks[c], i)
	}
	for _, codec := range order {
		comp, err := codecOption(codec)
		if err != nil {
			return err
		}
		cl, err := kgo.NewClient(kgo.SeedBrokers(s.bootstrap...), kgo.ClientID("interop-franz-producer-"+codec),
			kgo.ProducerBatchCompression(comp), kgo.ProducerLinger(5*time.Millisecond))
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		type report struct {
			Seq int   `json:"seq"`
			P   int32 `json:"p"`
			O   int64 `json:"o"`
		}
		var reports []report
		for _, i := range chunks[codec] {
			i := i
			wg.Add(1)
			rec := &kgo.Record{Topic: s.topic, Key: []byte(keyOf(i)), Value: []byte(s.valueOf(i)), Headers: s.headersOf(i)}
			cl.Produce(ctx, rec, func(r *kgo.Record, err error) {
				defer wg.Done()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Errorf("seq %d: %w", i, err))
					return
				}
				reports = append(reports, report{i, r.Partition, r.Offset})
			})
		}
		wg.Wait()
		cl.Close()
		if len(errs) > 0 {
			return fmt.Errorf("produce (%s): %d errors, first: %v", codec, len(errs), errs[0])
		}
		for _, r := range reports {
			b, _ := json.Marshal(r)
			produced.Write(append(b, '\n'))
		}
		say("produced %d records with codec %s", len(chunks[codec]), codec)
	}
	return nil
}

// member is one group consumer; it tracks its assignment and how far it read.
type member struct {
	name     string
	cl       *kgo.Client
	mu       sync.Mutex
	assigned map[int32]bool
	next     map[int32]int64
}

func (s *scenario) newMember(name string) (*member, error) {
	m := &member{name: name, assigned: map[int32]bool{}, next: map[int32]int64{}}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(s.bootstrap...),
		kgo.ClientID("interop-franz-"+name),
		kgo.ConsumerGroup(s.group),
		kgo.ConsumeTopics(s.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range a[s.topic] {
				m.assigned[p] = true
			}
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, r map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range r[s.topic] {
				delete(m.assigned, p)
			}
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, l map[string][]int32) {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, p := range l[s.topic] {
				delete(m.assigned, p)
			}
		}),
	)
	if err != nil {
		return nil, err
	}
	m.cl = cl
	return m, nil
}

func (m *member) caughtUp(ends map[int32]int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.assigned) == 0 {
		return false
	}
	for p := range m.assigned {
		if m.next[p] < ends[p] {
			return false
		}
	}
	return true
}

// poll polls once and records what came; returns fetch errors.
func (s *scenario) poll(ctx context.Context, phase string, m *member) error {
	pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	fs := m.cl.PollFetches(pctx)
	var errs []string
	fs.EachError(func(t string, p int32, err error) {
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			errs = append(errs, fmt.Sprintf("%s/%d: %v", t, p, err))
		}
	})
	fs.EachRecord(func(r *kgo.Record) {
		s.record(phase, m.name, r)
		m.mu.Lock()
		m.next[r.Partition] = r.Offset + 1
		m.mu.Unlock()
	})
	if len(errs) > 0 {
		return fmt.Errorf("%s: fetch errors: %v", m.name, errs)
	}
	return nil
}

func (s *scenario) endOffsets(ctx context.Context, adm *kadm.Client) (map[int32]int64, error) {
	lo, err := adm.ListEndOffsets(ctx, s.topic)
	if err != nil {
		return nil, err
	}
	if err := lo.Error(); err != nil {
		return nil, err
	}
	ends := map[int32]int64{}
	lo.Each(func(o kadm.ListedOffset) { ends[o.Partition] = o.Offset })
	return ends, nil
}

func (s *scenario) committed(ctx context.Context, adm *kadm.Client) (map[int32]int64, error) {
	or, err := adm.FetchOffsets(ctx, s.group)
	if err != nil {
		return nil, err
	}
	offs := map[int32]int64{}
	var ferr error
	or.Each(func(o kadm.OffsetResponse) {
		if o.Err != nil {
			ferr = o.Err
		}
		if o.Topic == s.topic {
			offs[o.Partition] = o.At
		}
	})
	return offs, ferr
}

func sameOffsets(a, b map[int32]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func (s *scenario) describe(ctx context.Context, adm *kadm.Client) (kadm.DescribedGroup, []string, []int32, error) {
	dg, err := adm.DescribeGroups(ctx, s.group)
	if err != nil {
		return kadm.DescribedGroup{}, nil, nil, err
	}
	d, ok := dg[s.group]
	if !ok || d.Err != nil {
		return d, nil, nil, fmt.Errorf("describe group: %v %v", d.Err, d.ErrMessage)
	}
	var shape []string
	var assigned []int32
	for _, m := range d.Members {
		var ps []int32
		if ca, ok := m.Assigned.AsConsumer(); ok {
			for _, t := range ca.Topics {
				ps = append(ps, t.Partitions...)
			}
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		assigned = append(assigned, ps...)
		shape = append(shape, fmt.Sprintf("%s=%v", m.ClientID, ps))
	}
	sort.Slice(assigned, func(i, j int) bool { return assigned[i] < assigned[j] })
	return d, shape, assigned, nil
}

func (s *scenario) run(ctx context.Context) error {
	if err := os.MkdirAll(s.out, 0o755); err != nil {
		return err
	}
	cf, err := os.Create(filepath.Join(s.out, "consumed.jsonl"))
	if err != nil {
		return err
	}
	defer cf.Close()
	s.consumed = bufio.NewWriter(cf)
	defer s.consumed.Flush()
	pf, err := os.Create(filepath.Join(s.out, "produced.jsonl"))
	if err != nil {
		return err
	}
	defer pf.Close()
	produced := bufio.NewWriter(pf)
	defer produced.Flush()

	acl, err := kgo.NewClient(kgo.SeedBrokers(s.bootstrap...), kgo.ClientID("interop-franz-admin"))
	if err != nil {
		return err
	}
	defer acl.Close()
	adm := kadm.NewClient(acl)
	md, err := adm.BrokerMetadata(ctx)
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	rf := int16(min(3, len(md.Brokers)))
	ct, err := adm.CreateTopics(ctx, int32(s.partitions), rf, nil, s.topic)
	if err == nil {
		err = ct.Error()
	}
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	say("created topic %s (%d partitions, RF %d, id %s)", s.topic, s.partitions, rf, ct[s.topic].ID)

	if err := s.produce(ctx, 0, s.count, true, produced); err != nil {
		return err
	}
	ends, err := s.endOffsets(ctx, adm)
	if err != nil {
		return fmt.Errorf("list end offsets: %w", err)
	}

	// Group phase: two members, each polling until the group has every record and
	// the member is at the end of its assignment.
	members := []*member{}
	for _, name := range []string{"c1", "c2"} {
		m, err := s.newMember(name)
		if err != nil {
			return err
		}
		members = append(members, m)
	}
	closeAll := func() {
		for _, m := range members {
			m.cl.Close()
		}
	}
	deadline := time.Now().Add(s.timeout)
	var wg sync.WaitGroup
	var doneMu sync.Mutex
	done := map[string]bool{}
	errs := make([]error, len(members))
	for i, m := range members {
		wg.Add(1)
		go func(i int, m *member) {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := s.poll(ctx, "group", m); err != nil {
					errs[i] = err
					return
				}
				// Re-evaluated every round: a rebalance can hand a member a
				// partition it has not read to the end.
				caught := s.seenIn("group", 0, s.count) >= s.count && m.caughtUp(ends)
				doneMu.Lock()
				done[m.name] = caught
				all := len(done) == len(members)
				for _, d := range done {
					all = all && d
				}
				doneMu.Unlock()
				if all {
					return
				}
			}
			errs[i] = fmt.Errorf("%s: timed out with %d of %d records", m.name, s.seenIn("group", 0, s.count), s.count)
		}(i, m)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		closeAll()
		return fmt.Errorf("group consume: %w", err)
	}
	for _, m := range members {
		if err := m.cl.CommitUncommittedOffsets(ctx); err != nil {
			closeAll()
			return fmt.Errorf("%s: commit: %w", m.name, err)
		}
	}
	say("group of 2 consumed %d records and committed", s.seenIn("group", 0, s.count))

	lg, err := adm.ListGroups(ctx)
	if err != nil {
		closeAll()
		return fmt.Errorf("list groups: %w", err)
	}
	if _, ok := lg[s.group]; !ok {
		closeAll()
		return fmt.Errorf("list groups: %s not listed", s.group)
	}
	d, shape, assigned, err := s.describe(ctx, adm)
	if err != nil {
		closeAll()
		return err
	}
	if d.State != "Stable" || len(d.Members) != 2 || len(assigned) != s.partitions {
		closeAll()
		return fmt.Errorf("describe group: state %s, members %v; want Stable, 2 members sharing %d partitions",
			d.State, shape, s.partitions)
	}
	offs, err := s.committed(ctx, adm)
	if err != nil || !sameOffsets(offs, ends) {
		closeAll()
		return fmt.Errorf("committed offsets %v (err %v) != end offsets %v", offs, err, ends)
	}
	say("group %s: %s, members %v, protocol %s; committed = end offsets %v", s.group, d.State, shape, d.Protocol, offs)
	closeAll()

	// Resume phase.
	if err := s.produce(ctx, s.count, s.count+s.extra, false, produced); err != nil {
		return err
	}
	r, err := s.newMember("r1")
	if err != nil {
		return err
	}
	deadline = time.Now().Add(s.timeout)
	var quietUntil time.Time
	for time.Now().Before(deadline) {
		if err := s.poll(ctx, "resume", r); err != nil {
			r.cl.Close()
			return err
		}
		if quietUntil.IsZero() && s.seenIn("resume", s.count, s.count+s.extra) >= s.extra {
			quietUntil = time.Now().Add(s.quiet)
		}
		if !quietUntil.IsZero() && time.Now().After(quietUntil) {
			break
		}
	}
	if err := r.cl.CommitUncommittedOffsets(ctx); err != nil {
		r.cl.Close()
		return fmt.Errorf("r1: commit: %w", err)
	}
	r.cl.Close()
	ends, err = s.endOffsets(ctx, adm)
	if err != nil {
		return err
	}
	d, shape, _, err = s.describe(ctx, adm)
	if err != nil {
		return err
	}
	if d.State != "Empty" || len(d.Members) != 0 {
		return fmt.Errorf("after close: group state %s with members %v, want Empty", d.State, shape)
	}
	offs, err = s.committed(ctx, adm)
	if err != nil || !sameOffsets(offs, ends) {
		return fmt.Errorf("after resume: committed offsets %v (err %v) != end offsets %v", offs, err, ends)
	}
	say("restarted group consumed %d records; group Empty, committed %v", s.seenIn("resume", 0, s.count+s.extra), offs)
	return nil
}

func main() {
	bootstrap := flag.String("bootstrap", "", "bootstrap servers, comma-separated")
	s := &scenario{seen: map[string]map[int]bool{"group": {}, "resume": {}}}
	flag.StringVar(&s.topic, "topic", "", "topic to create")
	flag.StringVar(&s.group, "group", "", "consumer group")
	flag.StringVar(&s.out, "out", "", "output directory")
	flag.IntVar(&s.count, "count", 10000, "records before the group consumes")
	flag.IntVar(&s.extra, "extra", 30, "records before the group restarts")
	flag.IntVar(&s.partitions, "partitions", 3, "partitions")
	codecs := flag.String("codecs", "none,gzip,snappy,lz4,zstd", "codecs")
	timeout := flag.Float64("timeout", 120, "seconds per consume phase")
	flag.Parse()
	if *bootstrap == "" || s.topic == "" || s.group == "" || s.out == "" {
		fmt.Fprintln(os.Stderr, "need --bootstrap, --topic, --group, --out")
		os.Exit(2)
	}
	s.bootstrap = strings.Split(*bootstrap, ",")
	s.codecs = strings.Split(*codecs, ",")
	s.timeout = time.Duration(*timeout * float64(time.Second))
	s.quiet = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := s.run(ctx); err != nil {
		fmt.Printf("FAIL franz-go v1.22.3: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("franz-go v1.22.3: scenario steps done")
}
