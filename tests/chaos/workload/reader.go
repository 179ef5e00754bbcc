package workload

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// EndOffsets asks for every partition's end offset (high watermark) until
// every partition answers or ctx ends.
func EndOffsets(ctx context.Context, brokers []string, topic string) (map[int32]int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ClientID("gregor-chaos-admin"))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var last error
	for {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		offs, err := adm.ListEndOffsets(lctx, topic)
		cancel()
		if err == nil {
			out := map[int32]int64{}
			bad := 0
			for p, o := range offs[topic] {
				if o.Err != nil || p < 0 {
					bad++
					last = fmt.Errorf("p%d: %v", p, o.Err)
					continue
				}
				out[p] = o.Offset
			}
			if bad == 0 && len(out) > 0 {
				return out, nil
			}
			if len(out) == 0 && last == nil {
				last = fmt.Errorf("topic %s has no partitions", topic)
			}
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("end offsets of %s: %v (last error: %v)", topic, ctx.Err(), last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ReadAll reads every partition from its start to the end offset it had
// when the read began, logging H lines (the range) and C lines, and the E
// line once every partition was read to its end.
func ReadAll(ctx context.Context, brokers []string, topic, logPath string, clientLog *log.Logger) error {
	lf, err := CreateLog(logPath)
	if err != nil {
		return err
	}
	defer lf.Close()
	lf.Linef("M final final")
	ends, err := EndOffsets(ctx, brokers, topic)
	if err != nil {
		return err
	}
	parts := make([]int32, 0, len(ends))
	for p := range ends {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i] < parts[j] })
	start := map[string]map[int32]kgo.Offset{topic: {}}
	pending := map[int32]bool{}
	for _, p := range parts {
		lf.Linef("H %d %d", p, ends[p])
		start[topic][p] = kgo.NewOffset().AtStart()
		if ends[p] > 0 {
			pending[p] = true
		}
	}
	lf.Flush()
	opts := []kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.ConsumePartitions(start),
		kgo.FetchMaxWait(500 * time.Millisecond),
		kgo.ClientID("gregor-chaos-final-read"),
	}
	if clientLog != nil {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(clientLog.Writer(), kgo.LogLevelInfo, nil)))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	var n int64
	var buf bytes.Buffer
	for len(pending) > 0 {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("final read: %v with %d partitions unfinished %v", ctx.Err(), len(pending), pending)
		}
		fetches.EachError(func(_ string, p int32, err error) {
			log.Printf("final read: p%d: %v", p, err)
		})
		buf.Reset()
		fetches.EachRecord(func(r *kgo.Record) {
			if r.Offset >= ends[r.Partition] {
				return // written after the read began: not ours to check
			}
			fmt.Fprintf(&buf, "C %d %d %s\n", r.Partition, r.Offset, recordID(r.Value))
			n++
			if r.Offset+1 >= ends[r.Partition] {
				delete(pending, r.Partition)
			}
		})
		lf.Append(buf.Bytes())
		lf.Flush()
	}
	lf.Linef("E %d", n)
	log.Printf("final read: %d records in %d partitions", n, len(parts))
	return nil
}

// logTail follows one consumer log, remembering where it stopped.
type logTail struct {
	pos  int64
	rest []byte
}

// WaitCaughtUp waits until the consumer logs matching pattern hold, for
// every partition, a record at the partition's end offset - 1.
func WaitCaughtUp(ctx context.Context, brokers []string, topic, pattern string) error {
	ends, err := EndOffsets(ctx, brokers, topic)
	if err != nil {
		return err
	}
	log.Printf("waiting for the consumers to reach %v", ends)
	maxSeen := map[int32]int64{}
	tails := map[string]*logTail{}
	lastReport := time.Now()
	for {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			t := tails[f]
			if t == nil {
				t = &logTail{}
				tails[f] = t
			}
			if err := t.read(f, maxSeen); err != nil {
				return err
			}
		}
		behind := map[int32]int64{}
		for p, end := range ends {
			if end == 0 {
				continue
			}
			if seen, ok := maxSeen[p]; !ok {
				behind[p] = end
			} else if seen+1 < end {
				behind[p] = end - 1 - seen
			}
		}
		if len(behind) == 0 {
			return nil
		}
		if time.Since(lastReport) > 10*time.Second {
			log.Printf("consumers still behind (records per partition): %v", behind)
			lastReport = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("consumers did not catch up: behind %v", behind)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (t *logTail) read(path string, maxSeen map[int32]int64) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // not there yet
	}
	defer f.Close()
	if _, err := f.Seek(t.pos, io.SeekStart); err != nil {
		return err
	}
	data, err := io.ReadAll(bufio.NewReader(f))
	if err != nil {
		return err
	}
	t.pos += int64(len(data))
	data = append(t.rest, data...)
	i := bytes.LastIndexByte(data, '\n')
	if i < 0 {
		t.rest = data
		return nil
	}
	t.rest = append([]byte(nil), data[i+1:]...)
	for _, line := range bytes.Split(data[:i], []byte{'\n'}) {
		f := bytes.Fields(line)
		if len(f) != 4 || string(f[0]) != "C" {
			continue
		}
		p, e1 := strconv.ParseInt(string(f[1]), 10, 32)
		o, e2 := strconv.ParseInt(string(f[2]), 10, 64)
		if e1 != nil || e2 != nil {
			continue
		}
		if cur, ok := maxSeen[int32(p)]; !ok || o > cur {
			maxSeen[int32(p)] = o
		}
	}
	return nil
}
