package workload

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ConsumerConfig configures Consume.
type ConsumerConfig struct {
	Brokers []string
	Topic   string
	// Group is the consumer group; empty reads every partition directly
	// (no group, no commits) — for brokers without the group APIs.
	Group     string
	Name      string
	LogPath   string
	ClientLog *log.Logger
}

// recordID is what the consumer logs for a value: the part before ':' when
// it looks like "<run>/<seq>", else "?" and the hex of its first 32 bytes.
func recordID(v []byte) string {
	if i := bytes.IndexByte(v, ':'); i > 0 && i <= 128 {
		id := v[:i]
		if j := bytes.LastIndexByte(id, '/'); j > 0 && printable(id) {
			if _, err := strconv.ParseUint(string(id[j+1:]), 10, 63); err == nil {
				return string(id)
			}
		}
	}
	if len(v) > 32 {
		v = v[:32]
	}
	return "?" + hex.EncodeToString(v)
}

func printable(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// Consume reads the topic until ctx is done, logging every record it is
// given (C lines) before marking it for commit, so a committed offset never
// covers a record that is not in the log. At exit it commits what it
// marked, leaves the group and writes the E line.
func Consume(ctx context.Context, cfg ConsumerConfig) error {
	lf, err := CreateLog(cfg.LogPath)
	if err != nil {
		return err
	}
	mode := "assign"
	if cfg.Group != "" {
		mode = "group"
	}
	lf.Linef("M %s %s", cfg.Name, mode)
	lf.Flush()
	logf := func(format string, args ...any) {
		log.Printf("consumer %s: %s", cfg.Name, fmt.Sprintf(format, args...))
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumeTopics(cfg.Topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(500 * time.Millisecond),
		kgo.MetadataMinAge(250 * time.Millisecond),
		kgo.MetadataMaxAge(5 * time.Second),
		kgo.ClientID("gregor-chaos-" + cfg.Name),
	}
	if cfg.Group != "" {
		opts = append(opts,
			kgo.ConsumerGroup(cfg.Group),
			kgo.AutoCommitMarks(),
			kgo.AutoCommitInterval(time.Second),
			kgo.SessionTimeout(10*time.Second),
			kgo.HeartbeatInterval(time.Second),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				logf("assigned %v", m[cfg.Topic])
			}),
			kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, m map[string][]int32) {
				// Commit what was logged before giving the partitions away.
				if err := cl.CommitMarkedOffsets(ctx); err != nil {
					logf("commit on revoke: %v", err)
				}
				logf("revoked %v", m[cfg.Topic])
			}),
			kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				logf("lost %v", m[cfg.Topic])
			}),
		)
	}
	if cfg.ClientLog != nil {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(cfg.ClientLog.Writer(), kgo.LogLevelInfo, nil)))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	var count int64
	var buf bytes.Buffer
	lastReport := time.Now()
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fetches.EachError(func(topic string, p int32, err error) {
			var loss *kgo.ErrDataLoss
			if errors.As(err, &loss) {
				lf.Linef("L %d %s", p, oneLine(err.Error()))
			}
			logf("fetch error p%d: %v", p, err)
		})
		buf.Reset()
		var recs []*kgo.Record
		fetches.EachRecord(func(r *kgo.Record) {
			fmt.Fprintf(&buf, "C %d %d %s\n", r.Partition, r.Offset, recordID(r.Value))
			recs = append(recs, r)
		})
		if len(recs) == 0 {
			continue
		}
		lf.Append(buf.Bytes())
		if err := lf.Flush(); err != nil {
			return err
		}
		count += int64(len(recs))
		if cfg.Group != "" {
			cl.MarkCommitRecords(recs...)
		}
		if time.Since(lastReport) > 10*time.Second {
			logf("%d records so far", count)
			lastReport = time.Now()
		}
	}
	if cfg.Group != "" {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := cl.CommitMarkedOffsets(cctx); err != nil {
			logf("final commit: %v", err)
		}
		cancel()
		lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := cl.LeaveGroupContext(lctx); err != nil {
			logf("leave group: %v", err)
		}
		cancel()
	}
	cl.Close()
	lf.Linef("E %d", count)
	logf("read %d records", count)
	return lf.Close()
}
