// Command gregor-chaos is the chaos runner's toolbox: the workload
// (produce, consume, read), the checker (check), the fault schedule
// (schedule) and the whole scenario (scenario), which tests/chaos/run.sh
// calls once the cluster is up.
//
//	gregor-chaos produce   --brokers B --topic T --run ID --log FILE [--rate N --size N --keys N]
//	gregor-chaos consume   --brokers B --topic T --name N --log FILE [--group G]
//	gregor-chaos read      --brokers B --topic T --log FILE
//	gregor-chaos caught-up --brokers B --topic T --logs 'GLOB' [--timeout D]
//	gregor-chaos check     --producer FILE[,FILE] --consumers 'GLOB' [--final FILE] [--report FILE]
//	gregor-chaos schedule  --seed N [--duration D --scenario S]
//	gregor-chaos create-topic --brokers B --topic T --partitions N --rf N --min-isr N
//	gregor-chaos scenario  --dir DIR --cluster-script PATH [--seed N --duration D --scenario S ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"gregor.dev/tests/chaos/checker"
	"gregor.dev/tests/chaos/schedule"
	"gregor.dev/tests/chaos/workload"
)

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	if len(os.Args) < 2 {
		usage()
	}
	cmds := map[string]func([]string) int{
		"produce":      cmdProduce,
		"consume":      cmdConsume,
		"read":         cmdRead,
		"caught-up":    cmdCaughtUp,
		"check":        cmdCheck,
		"schedule":     cmdSchedule,
		"create-topic": cmdCreateTopic,
		"scenario":     cmdScenario,
	}
	f, ok := cmds[os.Args[1]]
	if !ok {
		usage()
	}
	os.Exit(f(os.Args[2:]))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gregor-chaos produce|consume|read|caught-up|check|schedule|create-topic|scenario [flags]")
	os.Exit(2)
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func clientLogger(path string) *log.Logger {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		log.Fatalf("client log: %v", err)
	}
	return log.New(f, "", log.Ltime|log.Lmicroseconds)
}

func cmdProduce(args []string) int {
	fs := flag.NewFlagSet("produce", flag.ExitOnError)
	brokers := fs.String("brokers", "", "bootstrap servers, comma-separated")
	cfg := workload.ProducerConfig{}
	fs.StringVar(&cfg.Topic, "topic", "chaos", "topic")
	fs.StringVar(&cfg.Run, "run", "", "unique id of this producer run")
	fs.StringVar(&cfg.LogPath, "log", "producer.log", "where acknowledgements go")
	fs.IntVar(&cfg.Rate, "rate", 500, "records per second (a ceiling)")
	fs.IntVar(&cfg.Size, "size", 100, "value bytes")
	fs.IntVar(&cfg.Keys, "keys", 1000, "distinct keys")
	fs.DurationVar(&cfg.Linger, "linger", 5*time.Millisecond, "producer linger")
	fs.DurationVar(&cfg.FlushTimeout, "flush-timeout", 60*time.Second, "wait for outstanding records at exit")
	fs.DurationVar(&cfg.DeliveryTimeout, "delivery-timeout", 0, "fail a record not acknowledged in time (0: retry forever)")
	fs.IntVar(&cfg.MaxBuffered, "max-buffered", 10000, "records buffered before sending blocks")
	clientLog := fs.String("client-log", "", "franz-go's log file")
	fs.Parse(args)
	cfg.Brokers = splitList(*brokers)
	cfg.ClientLog = clientLogger(*clientLog)
	ctx, stop := signalContext()
	defer stop()
	if _, err := workload.Produce(ctx, cfg); err != nil {
		log.Printf("produce: %v", err)
		return 1
	}
	return 0
}

func cmdConsume(args []string) int {
	fs := flag.NewFlagSet("consume", flag.ExitOnError)
	brokers := fs.String("brokers", "", "bootstrap servers, comma-separated")
	cfg := workload.ConsumerConfig{}
	fs.StringVar(&cfg.Topic, "topic", "chaos", "topic")
	fs.StringVar(&cfg.Group, "group", "", "consumer group (empty: read every partition without a group)")
	fs.StringVar(&cfg.Name, "name", "consumer", "name in the log")
	fs.StringVar(&cfg.LogPath, "log", "consumer.log", "where reads go")
	clientLog := fs.String("client-log", "", "franz-go's log file")
	fs.Parse(args)
	cfg.Brokers = splitList(*brokers)
	cfg.ClientLog = clientLogger(*clientLog)
	ctx, stop := signalContext()
	defer stop()
	if err := workload.Consume(ctx, cfg); err != nil {
		log.Printf("consume: %v", err)
		return 1
	}
	return 0
}

func cmdRead(args []string) int {
	fs := flag.NewFlagSet("read", flag.ExitOnError)
	brokers := fs.String("brokers", "", "bootstrap servers")
	topic := fs.String("topic", "chaos", "topic")
	out := fs.String("log", "final.log", "where reads go")
	timeout := fs.Duration("timeout", 120*time.Second, "give up after")
	fs.Parse(args)
	ctx, stop := signalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if err := workload.ReadAll(ctx, splitList(*brokers), *topic, *out, nil); err != nil {
		log.Printf("read: %v", err)
		return 1
	}
	return 0
}

func cmdCaughtUp(args []string) int {
	fs := flag.NewFlagSet("caught-up", flag.ExitOnError)
	brokers := fs.String("brokers", "", "bootstrap servers")
	topic := fs.String("topic", "chaos", "topic")
	logs := fs.String("logs", "consumer-*.log", "consumer logs (glob)")
	timeout := fs.Duration("timeout", 120*time.Second, "give up after")
	fs.Parse(args)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := workload.WaitCaughtUp(ctx, splitList(*brokers), *topic, *logs); err != nil {
		log.Print(err)
		return 1
	}
	return 0
}

// runCheck parses the logs and checks them.
func runCheck(producers []string, consumerGlob, final string) (*checker.Report, error) {
	var in checker.Input
	for _, p := range producers {
		l, err := checker.ReadProducerLog(p)
		if err != nil {
			return nil, err
		}
		in.Producers = append(in.Producers, l)
	}
	files, err := filepath.Glob(consumerGlob)
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		l, err := checker.ReadConsumerLog(f)
		if err != nil {
			return nil, err
		}
		in.Consumers = append(in.Consumers, l)
	}
	if final != "" {
		l, err := checker.ReadConsumerLog(final)
		if err != nil {
			return nil, err
		}
		in.Final = l
	}
	return checker.Check(in), nil
}

func cmdCheck(args []string) int {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	producers := fs.String("producer", "producer.log", "producer logs, comma-separated")
	consumers := fs.String("consumers", "consumer-*.log", "live consumer logs (glob)")
	final := fs.String("final", "", "final read log (optional)")
	report := fs.String("report", "", "also write the report here")
	fs.Parse(args)
	rep, err := runCheck(splitList(*producers), *consumers, *final)
	if err != nil {
		log.Printf("check: %v", err)
		return 2
	}
	text := rep.Text()
	fmt.Print(text)
	if *report != "" {
		os.WriteFile(*report, []byte(text), 0o644)
	}
	if rep.Violations() > 0 {
		return 1
	}
	return 0
}

func scheduleFlags(fs *flag.FlagSet) (*schedule.Params, *string) {
	p := &schedule.Params{}
	fs.Int64Var(&p.Seed, "seed", 1, "schedule seed")
	fs.DurationVar(&p.Duration, "duration", 180*time.Second, "length of the fault phase")
	spec := fs.String("scenario", "all", "faults: scenario names (kill, pause, controller, partition, consumer, all) or fault kinds, comma-separated")
	fs.IntVar(&p.Partitions, "partitions", 6, "partitions of the topic")
	fs.IntVar(&p.MaxConcurrent, "max-concurrent", 2, "faults active at once")
	fs.DurationVar(&p.MinGap, "min-gap", 2*time.Second, "least time between fault starts")
	fs.DurationVar(&p.MaxGap, "max-gap", 10*time.Second, "most time between fault starts")
	fs.DurationVar(&p.MinFault, "min-fault", 3*time.Second, "shortest fault")
	fs.DurationVar(&p.MaxFault, "max-fault", 20*time.Second, "longest fault")
	return p, spec
}

func cmdSchedule(args []string) int {
	fs := flag.NewFlagSet("schedule", flag.ExitOnError)
	p, spec := scheduleFlags(fs)
	fs.IntVar(&p.Consumers, "consumers", 2, "consumer group members")
	fs.Parse(args)
	kinds, err := schedule.ParseKinds(*spec)
	if err != nil {
		log.Print(err)
		return 2
	}
	p.Kinds = kinds
	ev, err := schedule.Generate(*p)
	if err != nil {
		log.Print(err)
		return 2
	}
	fmt.Print(schedule.Format(ev))
	return 0
}
