// Package nemesis executes a fault schedule against a namespace cluster:
// each event starts at its time, resolves its target (the leader of a
// partition, the active controller, ...) from the cluster's state, applies
// the fault, and heals it after its duration. Every step is printed with the
// time since the fault phase began and the wall clock, so the broker logs
// can be lined up with it.
package nemesis

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"gregor.dev/tests/chaos/cluster"
	"gregor.dev/tests/chaos/schedule"
)

// Consumers lets the nemesis kill and restart consumer group members.
type Consumers interface {
	Kill(member int) error
	Start(member int) error
}

// Nemesis runs one schedule.
type Nemesis struct {
	C         *cluster.Cluster
	Consumers Consumers // nil: consumer faults are skipped
	Out       io.Writer

	start  time.Time
	mu     sync.Mutex
	busy   map[string]int // node (or "consumer-N") -> event holding it
	errs   []string
	counts map[schedule.Kind]int
}

// Logf prints a timestamped line.
func (n *Nemesis) Logf(format string, args ...any) {
	now := time.Now()
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.Out, "[+%8.3fs %s] %s\n", now.Sub(n.start).Seconds(), now.Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// Errors are the launcher commands that failed.
func (n *Nemesis) Errors() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string{}, n.errs...)
}

// Applied counts the faults applied, per kind.
func (n *Nemesis) Applied() map[schedule.Kind]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[schedule.Kind]int{}
	for k, v := range n.counts {
		out[k] = v
	}
	return out
}

// Run executes the events and returns when every applied fault is healed.
// When ctx ends, active faults are healed at once and later ones skipped.
func (n *Nemesis) Run(ctx context.Context, events []schedule.Event) {
	n.start = time.Now()
	n.busy = map[string]int{}
	n.counts = map[schedule.Kind]int{}
	var wg sync.WaitGroup
	for _, ev := range events {
		wg.Add(1)
		go func(ev schedule.Event) {
			defer wg.Done()
			n.runEvent(ctx, ev)
		}(ev)
	}
	wg.Wait()
}

// fault is a resolved event: the nodes it holds and the launcher commands
// that apply and heal it.
type fault struct {
	hold  []string
	desc  string
	apply [][]string
	heal  [][]string
	// consumer faults go through Consumers instead of the launcher.
	consumer int
}

func (n *Nemesis) runEvent(ctx context.Context, ev schedule.Event) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(time.Until(n.start.Add(ev.At))):
	}
	f, why := n.resolve(ev)
	if f == nil {
		n.Logf("#%02d %s %s: skipped (%s)", ev.Index, ev.Kind, ev.Target, why)
		return
	}
	n.Logf("#%02d %s %s -> %s; state: %s", ev.Index, ev.Kind, ev.Target, f.desc, n.C.Summary())
	n.mu.Lock()
	n.counts[ev.Kind]++
	n.mu.Unlock()
	n.do(ctx, ev, f, f.apply, true)
	select {
	case <-ctx.Done():
	case <-time.After(ev.For):
	}
	n.do(context.Background(), ev, f, f.heal, false)
	n.Logf("#%02d healed (%s)", ev.Index, f.desc)
	n.mu.Lock()
	for _, h := range f.hold {
		delete(n.busy, h)
	}
	n.mu.Unlock()
}

func (n *Nemesis) do(ctx context.Context, ev schedule.Event, f *fault, cmds [][]string, apply bool) {
	if ev.Kind == schedule.KillConsumer {
		var err error
		if apply {
			err = n.Consumers.Kill(f.consumer)
		} else {
			err = n.Consumers.Start(f.consumer)
		}
		if err != nil {
			n.fail(ev, err)
		}
		return
	}
	for _, c := range cmds {
		n.Logf("#%02d   %s", ev.Index, strings.Join(c, " "))
		t0 := time.Now()
		if err := n.C.Do(ctx, c...); err != nil {
			n.fail(ev, err)
		}
		// A slow command (a controlled shutdown, a process slow to die)
		// shifts the rest of the fault; say so.
		if d := time.Since(t0); d > time.Second {
			n.Logf("#%02d   %s took %.1fs", ev.Index, strings.Join(c, " "), d.Seconds())
		}
	}
}

func (n *Nemesis) fail(ev schedule.Event, err error) {
	n.Logf("#%02d   ERROR %v", ev.Index, err)
	n.mu.Lock()
	n.errs = append(n.errs, fmt.Sprintf("#%02d: %v", ev.Index, err))
	n.mu.Unlock()
}

// resolve picks the nodes and holds them, or says why the event is skipped.
func (n *Nemesis) resolve(ev schedule.Event) (*fault, string) {
	// Status queries happen before taking the lock (they can be slow).
	var leader string
	var epoch int
	var leaderOK bool
	if ev.Target.Kind == schedule.Leader {
		leader, epoch, leaderOK = n.C.Leader(ev.Target.Partition)
	}
	active, _, activeOK := n.C.Active()

	n.mu.Lock()
	defer n.mu.Unlock()
	free := func(names []string) []string {
		var out []string
		for _, x := range names {
			if _, held := n.busy[x]; !held {
				out = append(out, x)
			}
		}
		return out
	}
	pickFrom := func(names []string) (string, bool) {
		if len(names) == 0 {
			return "", false
		}
		return names[int(ev.Pick%uint32(len(names)))], true
	}
	isFree := func(x string) bool { _, held := n.busy[x]; return !held }

	// The broker the event aims at.
	pickBroker := func() (string, string, bool) {
		switch ev.Target.Kind {
		case schedule.Leader:
			if leaderOK && isFree(leader) {
				return leader, fmt.Sprintf("%s (leader of p%d, epoch %d)", leader, ev.Target.Partition, epoch), true
			}
		case schedule.Broker:
			if b := cluster.BrokerName(ev.Target.ID); isFree(b) {
				return b, b, true
			}
		}
		b, ok := pickFrom(free(cluster.Brokers))
		return b, b + " (fallback: target unknown or busy)", ok
	}
	pickController := func() (string, string, bool) {
		switch ev.Target.Kind {
		case schedule.ActiveController:
			if activeOK && isFree(active) {
				return active, active + " (active controller)", true
			}
		case schedule.Controller:
			if c := cluster.ControllerName(ev.Target.ID); isFree(c) {
				return c, c, true
			}
		}
		c, ok := pickFrom(free(cluster.Controllers))
		return c, c + " (fallback: target unknown or busy)", ok
	}

	f := &fault{}
	switch ev.Kind {
	case schedule.KillBroker, schedule.PauseBroker, schedule.RestartBroker,
		schedule.CutBrokerCtrl, schedule.CutBrokerBrokers, schedule.IsolateBroker:
		b, desc, ok := pickBroker()
		if !ok {
			return nil, "every broker is already under a fault"
		}
		f.hold, f.desc = []string{b}, desc
		switch ev.Kind {
		case schedule.KillBroker:
			f.apply, f.heal = [][]string{{"kill", b}}, [][]string{{"start", b}}
		case schedule.PauseBroker:
			f.apply, f.heal = [][]string{{"pause", b}}, [][]string{{"resume", b}}
		case schedule.RestartBroker:
			f.apply, f.heal = [][]string{{"stop", b}}, [][]string{{"start", b}}
		case schedule.CutBrokerCtrl:
			f.apply, f.heal = [][]string{{"cut", b, "controllers"}}, [][]string{{"uncut", b, "controllers"}}
		case schedule.CutBrokerBrokers:
			others := strings.Join(without(cluster.Brokers, b), ",")
			f.apply, f.heal = [][]string{{"cut", b, others}}, [][]string{{"uncut", b, others}}
		case schedule.IsolateBroker:
			f.apply, f.heal = [][]string{{"isolate", b}}, [][]string{{"connect", b}}
		}
	case schedule.KillAllBrokers:
		if len(free(cluster.Brokers)) != len(cluster.Brokers) {
			return nil, "a broker is already under a fault"
		}
		f.hold, f.desc = append([]string{}, cluster.Brokers...), "all brokers"
		// One command: every broker gets SIGKILL before the launcher waits
		// for any of them to exit.
		all := strings.Join(cluster.Brokers, ",")
		f.apply = [][]string{{"kill", all}}
		for _, b := range cluster.Brokers {
			f.heal = append(f.heal, []string{"start", b})
		}
	case schedule.KillController, schedule.PauseController, schedule.IsolateCtrl:
		c, desc, ok := pickController()
		if !ok {
			return nil, "every controller is already under a fault"
		}
		f.hold, f.desc = []string{c}, desc
		switch ev.Kind {
		case schedule.KillController:
			f.apply, f.heal = [][]string{{"kill", c}}, [][]string{{"start", c}}
		case schedule.PauseController:
			f.apply, f.heal = [][]string{{"pause", c}}, [][]string{{"resume", c}}
		case schedule.IsolateCtrl:
			f.apply, f.heal = [][]string{{"isolate", c}}, [][]string{{"connect", c}}
		}
	case schedule.SplitLeader:
		b, bdesc, ok := pickBroker()
		if !ok {
			return nil, "every broker is already under a fault"
		}
		// Half the time the minority side holds the active controller.
		var c string
		if ev.Pick/7%2 == 0 && activeOK && isFree(active) {
			c = active
		} else {
			c, ok = pickFrom(free(without(cluster.Controllers, active)))
			if !ok {
				return nil, "no free controller"
			}
		}
		minority := b + "," + c
		var rest []string
		rest = append(rest, without(cluster.Brokers, b)...)
		rest = append(rest, without(cluster.Controllers, c)...)
		majority := strings.Join(rest, ",")
		f.hold = []string{b, c}
		f.desc = fmt.Sprintf("{%s, %s} | {%s}; clients reach all", bdesc, c, majority)
		f.apply, f.heal = [][]string{{"cut", minority, majority}}, [][]string{{"uncut", minority, majority}}
	case schedule.KillConsumer:
		if n.Consumers == nil {
			return nil, "no consumers to kill"
		}
		key := fmt.Sprintf("consumer-%d", ev.Target.ID)
		if !isFree(key) {
			return nil, key + " is already down"
		}
		f.hold, f.desc, f.consumer = []string{key}, key, ev.Target.ID
	default:
		return nil, "unknown fault"
	}
	for _, h := range f.hold {
		n.busy[h] = ev.Index
	}
	return f, ""
}

func without(xs []string, drop string) []string {
	var out []string
	for _, x := range xs {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}
