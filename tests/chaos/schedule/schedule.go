// Package schedule derives a fault schedule from a seed: which faults start
// when, against what, and for how long. The same seed and parameters always
// give the same schedule (math/rand's seeded source is stable across Go
// releases); only the concrete node a target such as "leader of p3" names is
// resolved at run time, from the cluster's state.
package schedule

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"time"
)

// Kind is a fault.
type Kind string

const (
	KillBroker       Kind = "kill-broker"            // SIGKILL a broker; start it after For
	PauseBroker      Kind = "pause-broker"           // SIGSTOP a broker; SIGCONT after For
	RestartBroker    Kind = "restart-broker"         // SIGTERM (controlled shutdown), down for For, start
	KillAllBrokers   Kind = "kill-all-brokers"       // SIGKILL every broker at once; start them after For
	KillController   Kind = "kill-controller"        // SIGKILL a controller; start it after For
	PauseController  Kind = "pause-controller"       // SIGSTOP a controller; SIGCONT after For
	CutBrokerCtrl    Kind = "cut-broker-controllers" // a broker loses the controllers (not clients, not brokers)
	CutBrokerBrokers Kind = "cut-broker-brokers"     // a broker loses the other brokers (replication)
	IsolateBroker    Kind = "isolate-broker"         // a broker's link down: nobody reaches it
	IsolateCtrl      Kind = "isolate-controller"     // a controller's link down
	SplitLeader      Kind = "split-leader"           // a partition leader + one controller vs the other nodes; clients reach all
	KillConsumer     Kind = "kill-consumer"          // SIGKILL a consumer group member; start a new one after For
)

// AllKinds in a fixed order (the order matters: the generator indexes it).
var AllKinds = []Kind{KillBroker, PauseBroker, RestartBroker, KillAllBrokers, KillController,
	PauseController, CutBrokerCtrl, CutBrokerBrokers, IsolateBroker, IsolateCtrl, SplitLeader, KillConsumer}

// Scenarios name groups of kinds for --scenario.
var Scenarios = map[string][]Kind{
	"kill":       {KillBroker, RestartBroker, KillAllBrokers},
	"pause":      {PauseBroker, PauseController},
	"controller": {KillController, PauseController, IsolateCtrl},
	"partition":  {CutBrokerCtrl, CutBrokerBrokers, IsolateBroker, IsolateCtrl, SplitLeader},
	"consumer":   {KillConsumer},
	"all":        AllKinds,
}

// NeedsNetns tells whether a kind cuts links (needs the namespace cluster).
func (k Kind) NeedsNetns() bool {
	switch k {
	case CutBrokerCtrl, CutBrokerBrokers, IsolateBroker, IsolateCtrl, SplitLeader:
		return true
	}
	return false
}

// ParseKinds turns "kill,partition,pause-controller" into kinds, in AllKinds
// order without repeats.
func ParseKinds(spec string) ([]Kind, error) {
	want := map[Kind]bool{}
	for _, w := range strings.Split(spec, ",") {
		w = strings.TrimSpace(w)
		if w == "" {
			continue
		}
		if ks, ok := Scenarios[w]; ok {
			for _, k := range ks {
				want[k] = true
			}
			continue
		}
		found := false
		for _, k := range AllKinds {
			if string(k) == w {
				want[k], found = true, true
			}
		}
		if !found {
			names := make([]string, 0, len(Scenarios)+len(AllKinds))
			for n := range Scenarios {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, k := range AllKinds {
				names = append(names, string(k))
			}
			return nil, fmt.Errorf("unknown scenario or fault %q (known: %s)", w, strings.Join(names, ", "))
		}
	}
	var out []Kind
	for _, k := range AllKinds {
		if want[k] {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no faults chosen")
	}
	return out, nil
}

// TargetKind says how a fault's node is chosen.
type TargetKind string

const (
	Leader           TargetKind = "leader-of"         // the broker leading Partition
	Broker           TargetKind = "broker"            // broker ID
	AllBrokers       TargetKind = "all-brokers"       //
	ActiveController TargetKind = "active-controller" // the controller that is the Raft leader
	Controller       TargetKind = "controller"        // controller ID (1001..)
	Consumer         TargetKind = "consumer"          // consumer member ID (0..)
)

// Target is what a fault hits, before resolution at run time.
type Target struct {
	Kind      TargetKind
	Partition int
	ID        int
}

func (t Target) String() string {
	switch t.Kind {
	case Leader:
		return fmt.Sprintf("leader-of-p%d", t.Partition)
	case Broker, Controller, Consumer:
		return fmt.Sprintf("%s-%d", t.Kind, t.ID)
	}
	return string(t.Kind)
}

// Event is one fault: it starts At (from the start of the fault phase),
// lasts For, then is healed.
type Event struct {
	Index  int
	At     time.Duration
	Kind   Kind
	Target Target
	For    time.Duration
	// Pick is a random number the executor uses when the target is
	// unavailable (no known leader, node already faulted): it picks another
	// node from it, so even fallbacks follow the seed.
	Pick uint32
}

func (e Event) String() string {
	return fmt.Sprintf("#%02d +%7.3fs %-22s %-20s for %6.3fs", e.Index, e.At.Seconds(), e.Kind, e.Target, e.For.Seconds())
}

// Params shape a schedule.
type Params struct {
	Seed          int64
	Duration      time.Duration // faults start and end within [0, Duration]
	Kinds         []Kind
	Partitions    int
	Brokers       []int // broker ids
	Controllers   []int // controller ids
	Consumers     int   // group members that can be killed
	MaxConcurrent int   // faults active at once
	MinGap        time.Duration
	MaxGap        time.Duration
	MinFault      time.Duration
	MaxFault      time.Duration
	// Overlap is the probability that a fault starts while another is
	// active (up to MaxConcurrent).
	Overlap float64
}

// Defaults fills unset fields with the values the runner uses.
func (p Params) Defaults() Params {
	if p.Partitions == 0 {
		p.Partitions = 6
	}
	if len(p.Brokers) == 0 {
		p.Brokers = []int{1, 2, 3}
	}
	if len(p.Controllers) == 0 {
		p.Controllers = []int{1001, 1002, 1003}
	}
	if p.MaxConcurrent == 0 {
		p.MaxConcurrent = 2
	}
	if p.MinGap == 0 {
		p.MinGap = 2 * time.Second
	}
	if p.MaxGap == 0 {
		p.MaxGap = 10 * time.Second
	}
	if p.MinFault == 0 {
		p.MinFault = 3 * time.Second
	}
	if p.MaxFault == 0 {
		p.MaxFault = 20 * time.Second
	}
	if p.Overlap == 0 {
		p.Overlap = 0.3
	}
	return p
}

// Generate derives the schedule. Kinds that need consumers are dropped when
// there are none.
func Generate(p Params) ([]Event, error) {
	p = p.Defaults()
	if p.Duration <= 0 {
		return nil, fmt.Errorf("duration must be positive")
	}
	if p.MinGap <= 0 || p.MinGap > p.MaxGap || p.MinFault <= 0 || p.MinFault > p.MaxFault {
		return nil, fmt.Errorf("bad gap or fault bounds")
	}
	var kinds []Kind
	for _, k := range p.Kinds {
		if k == KillConsumer && p.Consumers == 0 {
			continue
		}
		kinds = append(kinds, k)
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("no usable faults")
	}
	rng := rand.New(rand.NewSource(p.Seed))
	between := func(lo, hi time.Duration) time.Duration {
		if hi <= lo {
			return lo
		}
		// Millisecond resolution keeps the printed schedule exact.
		return lo + time.Duration(rng.Int63n(int64((hi-lo)/time.Millisecond)+1))*time.Millisecond
	}
	var events []Event
	var ends []time.Duration // end times of the faults active at `at`
	at := time.Duration(0)
	for {
		at += between(p.MinGap, p.MaxGap)
		live := ends[:0]
		for _, e := range ends {
			if e > at {
				live = append(live, e)
			}
		}
		ends = live
		if len(ends) > 0 && (len(ends) >= p.MaxConcurrent || rng.Float64() >= p.Overlap) {
			// Wait for the earliest active fault to end, then a short gap.
			sort.Slice(ends, func(i, j int) bool { return ends[i] < ends[j] })
			at = ends[0]
			continue
		}
		d := between(p.MinFault, p.MaxFault)
		if at+p.MinFault > p.Duration {
			break
		}
		if at+d > p.Duration {
			d = p.Duration - at
		}
		k := kinds[rng.Intn(len(kinds))]
		ev := Event{Index: len(events) + 1, At: at, Kind: k, For: d, Target: target(rng, k, p)}
		ev.Pick = rng.Uint32()
		events = append(events, ev)
		ends = append(ends, at+d)
	}
	return events, nil
}

func target(rng *rand.Rand, k Kind, p Params) Target {
	switch k {
	case KillAllBrokers:
		return Target{Kind: AllBrokers}
	case KillController, PauseController, IsolateCtrl:
		if rng.Float64() < 0.7 {
			return Target{Kind: ActiveController}
		}
		return Target{Kind: Controller, ID: p.Controllers[rng.Intn(len(p.Controllers))]}
	case KillConsumer:
		return Target{Kind: Consumer, ID: rng.Intn(p.Consumers)}
	case SplitLeader:
		return Target{Kind: Leader, Partition: rng.Intn(p.Partitions)}
	}
	if rng.Float64() < 0.6 {
		return Target{Kind: Leader, Partition: rng.Intn(p.Partitions)}
	}
	return Target{Kind: Broker, ID: p.Brokers[rng.Intn(len(p.Brokers))]}
}

// Format renders a schedule, one event a line.
func Format(events []Event) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}
