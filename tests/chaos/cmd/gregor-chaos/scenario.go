package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gregor.dev/tests/chaos/cluster"
	"gregor.dev/tests/chaos/nemesis"
	"gregor.dev/tests/chaos/schedule"
	"gregor.dev/tests/chaos/workload"
)

// ---------------------------------------------------------------- create-topic

func cmdCreateTopic(args []string) int {
	fs := flag.NewFlagSet("create-topic", flag.ExitOnError)
	brokers := fs.String("brokers", "", "bootstrap servers")
	topic := fs.String("topic", "chaos", "topic")
	partitions := fs.Int("partitions", 6, "partitions")
	rf := fs.Int("rf", 3, "replication factor")
	minISR := fs.Int("min-isr", 2, "min.insync.replicas")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after")
	fs.Parse(args)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := createTopic(ctx, splitList(*brokers), *topic, *partitions, *rf, *minISR); err != nil {
		log.Printf("create-topic: %v", err)
		return 1
	}
	return 0
}

// createTopic creates the topic (retrying while the cluster settles) and
// waits until every partition has a leader.
func createTopic(ctx context.Context, brokers []string, topic string, partitions, rf, minISR int) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ClientID("gregor-chaos-admin"))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	v := strconv.Itoa(minISR)
	for {
		_, err := adm.CreateTopic(ctx, int32(partitions), int16(rf), map[string]*string{"min.insync.replicas": &v}, topic)
		if err == nil || errors.Is(err, kerr.TopicAlreadyExists) {
			break
		}
		log.Printf("create-topic %s: %v (retrying)", topic, err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("creating %s: %v", topic, err)
		case <-time.After(time.Second):
		}
	}
	for {
		md, err := adm.Metadata(ctx, topic)
		ready := err == nil
		if ready {
			t, ok := md.Topics[topic]
			ready = ok && t.Err == nil && len(t.Partitions) == partitions
			for _, p := range t.Partitions {
				if p.Err != nil || p.Leader < 0 {
					ready = false
				}
			}
		}
		if ready {
			log.Printf("topic %s: %d partitions, replication factor %d, min.insync.replicas %d", topic, partitions, rf, minISR)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topic %s did not get leaders for every partition", topic)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// groupsSupported asks a broker whether it serves the consumer-group APIs.
func groupsSupported(ctx context.Context, brokers []string) (bool, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ClientID("gregor-chaos-admin"))
	if err != nil {
		return false, err
	}
	defer cl.Close()
	req := kmsg.NewPtrApiVersionsRequest()
	req.ClientSoftwareName, req.ClientSoftwareVersion = "gregor-chaos", "1"
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return false, err
	}
	have := map[int16]bool{}
	for _, k := range resp.ApiKeys {
		have[k.ApiKey] = true
	}
	// OffsetCommit, OffsetFetch, FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, SyncGroup.
	for _, k := range []int16{8, 9, 10, 11, 12, 13, 14} {
		if !have[k] {
			return false, nil
		}
	}
	return true, nil
}

// ---------------------------------------------------------------- processes

// proc is a child process of this binary (produce or consume).
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startProc(dir, name string, args ...string) (*proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	errf, err := os.OpenFile(filepath.Join(dir, name+".stderr"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = errf, errf
	// Children die with the runner.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		errf.Close()
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		errf.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits; SIGKILL after grace. It reports whether the
// process exited by itself with status 0.
func (p *proc) stop(grace time.Duration) error {
	if p.running() {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %v; killed", p.name, grace)
	}
}

func (p *proc) kill() {
	if p.running() {
		p.cmd.Process.Kill()
	}
	<-p.done
}

// consumers are the group members; each restart is a new incarnation with
// its own log.
type consumers struct {
	mu      sync.Mutex
	dir     string
	brokers string
	topic   string
	group   string
	procs   map[int]*proc
	inc     map[int]int
}

func (c *consumers) Start(member int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[member]; p != nil && p.running() {
		return nil
	}
	c.inc[member]++
	name := fmt.Sprintf("consumer-%d-%d", member, c.inc[member])
	p, err := startProc(c.dir, name, "consume", "--brokers", c.brokers, "--topic", c.topic,
		"--group", c.group, "--name", name, "--log", filepath.Join(c.dir, name+".log"),
		"--client-log", filepath.Join(c.dir, name+".client.txt"))
	if err != nil {
		return err
	}
	c.procs[member] = p
	return nil
}

func (c *consumers) Kill(member int) error {
	c.mu.Lock()
	p := c.procs[member]
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("consumer %d never started", member)
	}
	p.kill()
	return nil
}

func (c *consumers) stopAll(grace time.Duration) []error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, len(c.procs))
	i := 0
	for _, p := range c.procs {
		wg.Add(1)
		go func(i int, p *proc) {
			defer wg.Done()
			if p.running() {
				errs[i] = p.stop(grace)
			}
		}(i, p)
		i++
	}
	wg.Wait()
	var out []error
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// countAcks counts A lines in the producer log.
func countAcks(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var n int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if b := sc.Bytes(); len(b) > 1 && b[0] == 'A' && b[1] == ' ' {
			n++
		}
	}
	return n
}

// ---------------------------------------------------------------- scenario

type result struct {
	name string
	ok   bool
	note string
}

func cmdScenario(args []string) int {
	fs := flag.NewFlagSet("scenario", flag.ExitOnError)
	p, spec := scheduleFlags(fs)
	dir := fs.String("dir", "", "run directory: logs, schedule, report (required)")
	script := fs.String("cluster-script", "", "tests/chaos/netns_cluster.sh (required)")
	topic := fs.String("topic", "chaos", "topic (created by the caller)")
	rf := fs.Int("rf", 3, "the topic's replication factor (healthy = this many in sync)")
	nConsumers := fs.Int("consumers", 2, "consumer group members")
	group := fs.String("group", "chaos", "consumer group")
	groupMode := fs.String("group-mode", "auto", "group: consumer group; assign: read partitions without a group; auto: group if the brokers serve it")
	rate := fs.Int("rate", 500, "producer records per second (a ceiling)")
	size := fs.Int("size", 100, "value bytes")
	warmup := fs.Duration("warmup", 60*time.Second, "wait this long at most for the first acknowledgement")
	postHeal := fs.Duration("post-heal", 15*time.Second, "traffic after healing, before stopping the producer")
	healTimeout := fs.Duration("heal-timeout", 120*time.Second, "wait this long for a healthy cluster after healing")
	catchUp := fs.Duration("catch-up-timeout", 120*time.Second, "wait this long for the consumers to read everything")
	fs.Parse(args)
	if *dir == "" || *script == "" {
		log.Print("scenario: --dir and --cluster-script are required")
		return 2
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Print(err)
		return 2
	}
	kinds, err := schedule.ParseKinds(*spec)
	if err != nil {
		log.Print(err)
		return 2
	}
	c, err := cluster.New(*script, *topic)
	if err != nil {
		log.Print(err)
		return 2
	}
	brokers := strings.Join(c.Bootstrap(), ",")
	var results []result
	add := func(name string, ok bool, note string) {
		results = append(results, result{name, ok, note})
		status := "PASS"
		if !ok {
			status = "FAIL"
		}
		if note != "" {
			log.Printf("%s %s: %s", status, name, note)
		} else {
			log.Printf("%s %s", status, name)
		}
	}

	// Consumers: a group when the brokers serve one.
	useGroup := *groupMode == "group"
	if *groupMode == "auto" {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		ok, err := groupsSupported(ctx, c.Bootstrap())
		cancel()
		if err != nil {
			log.Printf("ApiVersions: %v", err)
		}
		useGroup = ok
	}
	members := *nConsumers
	groupName := *group
	if !useGroup {
		log.Printf("consumers read every partition without a group (brokers lack the group APIs or --group-mode=assign)")
		groupName = ""
		members = 1
	}
	p.Consumers = members
	p.Kinds = kinds
	events, err := schedule.Generate(*p)
	if err != nil {
		log.Print(err)
		return 2
	}
	sched := schedule.Format(events)
	os.WriteFile(filepath.Join(*dir, "schedule.txt"), []byte(sched), 0o644)
	fmt.Printf("schedule (seed %d, %v, faults: %s):\n%s", p.Seed, p.Duration, *spec, sched)

	// Workload.
	cons := &consumers{dir: *dir, brokers: brokers, topic: *topic, group: groupName,
		procs: map[int]*proc{}, inc: map[int]int{}}
	for i := 0; i < members; i++ {
		if err := cons.Start(i); err != nil {
			log.Print(err)
			return 2
		}
	}
	runID := randomRunID(p.Seed)
	producerLog := filepath.Join(*dir, "producer.log")
	prod, err := startProc(*dir, "producer", "produce", "--brokers", brokers, "--topic", *topic,
		"--run", runID, "--log", producerLog, "--rate", strconv.Itoa(*rate), "--size", strconv.Itoa(*size),
		"--client-log", filepath.Join(*dir, "producer.client.txt"))
	if err != nil {
		log.Print(err)
		return 2
	}
	defer prod.kill()
	defer cons.stopAll(time.Second)

	deadline := time.Now().Add(*warmup)
	for countAcks(producerLog) == 0 && time.Now().Before(deadline) && prod.running() {
		time.Sleep(200 * time.Millisecond)
	}
	if n := countAcks(producerLog); n == 0 {
		add("first acknowledgement", false, fmt.Sprintf("no record acknowledged within %v (see producer.stderr)", *warmup))
		return finish(*dir, results)
	}
	add("first acknowledgement", true, "")

	// Faults.
	evLog, _ := os.Create(filepath.Join(*dir, "events.log"))
	defer evLog.Close()
	nem := &nemesis.Nemesis{C: c, Out: io.MultiWriter(os.Stdout, evLog)}
	if useGroup {
		nem.Consumers = cons
	}
	log.Printf("fault phase: %d faults over %v", len(events), p.Duration)
	sigCtx, stopSig := signalContext()
	defer stopSig()
	nem.Run(sigCtx, events)
	if sigCtx.Err() != nil {
		log.Print("interrupted: healing and checking what ran")
	}
	applied := nem.Applied()
	var kindsApplied []string
	for k, n := range applied {
		kindsApplied = append(kindsApplied, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kindsApplied)
	add("faults applied without launcher errors", len(nem.Errors()) == 0,
		fmt.Sprintf("%s; errors: %v", strings.Join(kindsApplied, " "), nem.Errors()))

	// Heal everything and wait for a healthy cluster.
	nem.Logf("heal: everything")
	if err := c.Do(context.Background(), "heal"); err != nil {
		nem.Logf("heal: %v", err)
	}
	for i := 0; i < members; i++ {
		cons.Start(i)
	}
	healthy, why := false, ""
	deadline = time.Now().Add(*healTimeout)
	for time.Now().Before(deadline) {
		if healthy, why = c.Healthy(*rf); healthy {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	nem.Logf("after heal: healthy=%v %s", healthy, why)
	add("cluster healthy after heal (every broker ready, every partition led, full ISR)", healthy, why)

	// The producer must make progress again.
	before := countAcks(producerLog)
	time.Sleep(*postHeal)
	after := countAcks(producerLog)
	add("producer makes progress after heal", after > before,
		fmt.Sprintf("%d acknowledgements in the %v after healing", after-before, *postHeal))

	// Stop the producer; let the consumers catch up; read everything.
	perr := prod.stop(3 * time.Minute)
	add("producer stopped cleanly", perr == nil, errString(perr))
	ctx, cancel := context.WithTimeout(context.Background(), *catchUp)
	err = workload.WaitCaughtUp(ctx, c.Bootstrap(), *topic, filepath.Join(*dir, "consumer-*.log"))
	cancel()
	add("consumers caught up with every partition's end", err == nil, errString(err))
	finalLog := filepath.Join(*dir, "final.log")
	ctx, cancel = context.WithTimeout(context.Background(), 2*time.Minute)
	err = workload.ReadAll(ctx, c.Bootstrap(), *topic, finalLog, nil)
	cancel()
	add("final read of every partition", err == nil, errString(err))
	errs := cons.stopAll(30 * time.Second)
	add("consumers stopped cleanly", len(errs) == 0, fmt.Sprint(errs))

	rep, err := runCheck([]string{producerLog}, filepath.Join(*dir, "consumer-*.log"), finalLog)
	if err != nil {
		add("checker", false, err.Error())
		return finish(*dir, results)
	}
	text := rep.Text()
	os.WriteFile(filepath.Join(*dir, "report.txt"), []byte(text), 0o644)
	fmt.Print("\n" + text)
	add("no acknowledged record lost, duplicated, reordered or moved; nothing unexpected",
		rep.Violations() == 0, fmt.Sprintf("%d violations", rep.Violations()))
	return finish(*dir, results)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func randomRunID(seed int64) string {
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("s%d-%s", seed, hex.EncodeToString(b))
}

// finish prints the checks and writes result.txt; 0 when all passed.
func finish(dir string, results []result) int {
	var b strings.Builder
	failed := 0
	for _, r := range results {
		status := "PASS"
		if !r.ok {
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(&b, "%s  %s", status, r.name)
		if r.note != "" {
			fmt.Fprintf(&b, "  (%s)", r.note)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "checks: %d passed, %d failed\n", len(results)-failed, failed)
	os.WriteFile(filepath.Join(dir, "result.txt"), []byte(b.String()), 0o644)
	fmt.Print("\n" + b.String())
	if failed > 0 {
		return 1
	}
	return 0
}
