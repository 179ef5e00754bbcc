package workload

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ProducerConfig configures Produce.
type ProducerConfig struct {
	Brokers []string
	Topic   string
	Run     string // unique id of this producer run; goes into every value
	LogPath string
	Rate    int           // records per second
	Size    int           // value bytes (at least the id)
	Keys    int           // distinct keys (spread over partitions by the default partitioner)
	Linger  time.Duration // producer linger
	// FlushTimeout bounds the wait for outstanding records at exit; what is
	// still unacknowledged then is failed (logged as F).
	FlushTimeout time.Duration
	// DeliveryTimeout fails a record not acknowledged in time (0: retry forever).
	DeliveryTimeout time.Duration
	MaxBuffered     int
	ClientLog       *log.Logger // franz-go's own log (nil: off)
}

// ProducerStats are the counts at exit.
type ProducerStats struct {
	Sent, Acked, Failed int64
}

// Produce sends numbered records until ctx is done, then waits for the
// outstanding ones (FlushTimeout), fails what remains, and closes the log
// with an E line. Record i has key "k<i mod Keys>" and value "<run>/<i>:"
// padded to Size bytes.
func Produce(ctx context.Context, cfg ProducerConfig) (ProducerStats, error) {
	var st ProducerStats
	if strings.ContainsAny(cfg.Run, " /:") || cfg.Run == "" {
		return st, fmt.Errorf("run id %q must be non-empty without spaces, '/' or ':'", cfg.Run)
	}
	if cfg.Rate <= 0 || cfg.Keys <= 0 {
		return st, fmt.Errorf("rate and keys must be positive")
	}
	lf, err := CreateLog(cfg.LogPath)
	if err != nil {
		return st, err
	}
	lf.Linef("R %s %s", cfg.Run, cfg.Topic)
	var dataLoss atomic.Int64
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence is on by default with acks=all
		kgo.ProducerLinger(cfg.Linger),
		kgo.MaxBufferedRecords(cfg.MaxBuffered),
		kgo.MetadataMinAge(250 * time.Millisecond),
		kgo.MetadataMaxAge(5 * time.Second),
		kgo.UnknownTopicRetries(-1),
		kgo.ProducerOnDataLossDetected(func(topic string, p int32) {
			dataLoss.Add(1)
			lf.Linef("L %d producer detected data loss in %s (its sequence numbers went back)", p, topic)
		}),
		kgo.ClientID("gregor-chaos-producer"),
	}
	if cfg.DeliveryTimeout > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(cfg.DeliveryTimeout))
	}
	if cfg.ClientLog != nil {
		opts = append(opts, kgo.WithLogger(kgo.BasicLogger(cfg.ClientLog.Writer(), kgo.LogLevelInfo, nil)))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return st, err
	}

	stopFlush := make(chan struct{})
	go lf.FlushEvery(100*time.Millisecond, stopFlush)

	var acked, failed atomic.Int64
	pad := cfg.Size
	value := func(seq int64) []byte {
		id := fmt.Sprintf("%s/%d:", cfg.Run, seq)
		if len(id) >= pad {
			return []byte(id)
		}
		b := make([]byte, pad)
		copy(b, id)
		for i := len(id); i < pad; i++ {
			b[i] = 'a' + byte((int64(i)+seq)%26)
		}
		return b
	}
	promise := func(seq int64) func(*kgo.Record, error) {
		return func(r *kgo.Record, err error) {
			if err == nil {
				acked.Add(1)
				lf.Linef("A %d %d %d", seq, r.Partition, r.Offset)
				return
			}
			failed.Add(1)
			lf.Linef("F %d %d %s", seq, r.Partition, oneLine(err.Error()))
		}
	}

	// Progress on stderr every 5 s.
	start := time.Now()
	var seq int64
	stopProgress := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		last := int64(0)
		for {
			select {
			case <-t.C:
				a := acked.Load()
				log.Printf("producer +%.0fs: sent %d acked %d (+%d) failed %d buffered %d",
					time.Since(start).Seconds(), atomic.LoadInt64(&seq), a, a-last, failed.Load(), cl.BufferedProduceRecords())
				last = a
			case <-stopProgress:
				return
			}
		}
	}()

	// Send at Rate: every tick, enough records to catch up with the clock.
	// Produce blocks while MaxBuffered records wait (a partition without a
	// leader holds the line), so the rate is a ceiling.
	tick := time.NewTicker(10 * time.Millisecond)
	sendCtx := context.Background() // records must not fail because the run is ending
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		due := int64(time.Since(start).Seconds() * float64(cfg.Rate))
		for atomic.LoadInt64(&seq) < due {
			if ctx.Err() != nil {
				break loop
			}
			s := atomic.LoadInt64(&seq)
			r := &kgo.Record{Key: []byte(fmt.Sprintf("k%d", s%int64(cfg.Keys))), Value: value(s)}
			cl.Produce(sendCtx, r, promise(s))
			atomic.AddInt64(&seq, 1)
		}
	}
	tick.Stop()
	log.Printf("producer: stopping after %d records; waiting up to %v for acknowledgements", seq, cfg.FlushTimeout)
	fctx, cancel := context.WithTimeout(context.Background(), cfg.FlushTimeout)
	err = cl.Flush(fctx)
	cancel()
	if err != nil {
		log.Printf("producer: flush: %v; aborting %d buffered records", err, cl.BufferedProduceRecords())
		actx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := cl.AbortBufferedRecords(actx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			log.Printf("producer: abort: %v", err)
		}
		cancel()
	}
	cl.Close()
	close(stopProgress)
	close(stopFlush)
	st = ProducerStats{Sent: seq, Acked: acked.Load(), Failed: failed.Load()}
	if st.Acked+st.Failed == st.Sent {
		lf.Linef("E %d %d %d", st.Sent, st.Acked, st.Failed)
	} else {
		// Some records never got an answer: no E line, the checker flags it.
		log.Printf("producer: %d records have neither an acknowledgement nor a failure", st.Sent-st.Acked-st.Failed)
	}
	if err := lf.Close(); err != nil {
		return st, err
	}
	log.Printf("producer: sent %d acked %d failed %d data-loss-detections %d", st.Sent, st.Acked, st.Failed, dataLoss.Load())
	return st, nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
