package schedule

import (
	"sort"
	"testing"
	"time"
)

func params(seed int64, kinds ...Kind) Params {
	if len(kinds) == 0 {
		kinds = AllKinds
	}
	return Params{Seed: seed, Duration: 180 * time.Second, Kinds: kinds, Consumers: 2}
}

func TestSameSeedGivesTheSameSchedule(t *testing.T) {
	a, err := Generate(params(42))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(params(42))
	if Format(a) != Format(b) {
		t.Fatalf("seed 42 gave two schedules:\n%s\n%s", Format(a), Format(b))
	}
	c, _ := Generate(params(43))
	if Format(a) == Format(c) {
		t.Fatal("seeds 42 and 43 gave the same schedule")
	}
	t.Log("\n" + Format(a))
}

// A pinned schedule: if this changes, old seeds no longer replay.
func TestScheduleOfSeed1IsStable(t *testing.T) {
	ev, err := Generate(params(1))
	if err != nil {
		t.Fatal(err)
	}
	const want = "#01 +  3.832s kill-consumer          consumer-1           for 14.455s\n"
	if len(ev) == 0 || ev[0].String()+"\n" != want {
		t.Fatalf("first event of seed 1 = %q, want %q", Format(ev[:1]), want)
	}
}

func TestFaultsStayInsideTheDurationAndTheConcurrencyLimit(t *testing.T) {
	for seed := int64(0); seed < 300; seed++ {
		p := params(seed)
		p.MaxConcurrent = 2
		ev, err := Generate(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev) < 5 {
			t.Errorf("seed %d: only %d faults in 180 s", seed, len(ev))
		}
		type edge struct {
			at    time.Duration
			delta int
		}
		var edges []edge
		for i, e := range ev {
			if e.Index != i+1 {
				t.Errorf("seed %d: event %d has index %d", seed, i, e.Index)
			}
			if e.At <= 0 || e.For <= 0 || e.At+e.For > p.Duration {
				t.Errorf("seed %d: %v outside (0, %v]", seed, e, p.Duration)
			}
			if i > 0 && e.At < ev[i-1].At {
				t.Errorf("seed %d: events out of time order", seed)
			}
			edges = append(edges, edge{e.At, 1}, edge{e.At + e.For, -1})
		}
		sort.Slice(edges, func(i, j int) bool {
			if edges[i].at != edges[j].at {
				return edges[i].at < edges[j].at
			}
			return edges[i].delta < edges[j].delta // an end before a start at the same instant
		})
		active := 0
		for _, e := range edges {
			active += e.delta
			if active > p.MaxConcurrent {
				t.Fatalf("seed %d: %d faults at once at %v:\n%s", seed, active, e.at, Format(ev))
			}
		}
	}
}

func TestOnlyChosenKindsAppear(t *testing.T) {
	kinds, err := ParseKinds("pause,kill-controller")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Kind]bool{PauseBroker: true, PauseController: true, KillController: true}
	if len(kinds) != 3 {
		t.Fatalf("kinds = %v", kinds)
	}
	seen := map[Kind]bool{}
	for seed := int64(0); seed < 50; seed++ {
		ev, _ := Generate(params(seed, kinds...))
		for _, e := range ev {
			if !want[e.Kind] {
				t.Fatalf("seed %d: %v not chosen", seed, e)
			}
			seen[e.Kind] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("over 50 seeds only %v appeared", seen)
	}
}

func TestTargetsFitTheirKinds(t *testing.T) {
	for seed := int64(0); seed < 100; seed++ {
		ev, _ := Generate(params(seed))
		for _, e := range ev {
			tk := e.Target.Kind
			ok := false
			switch e.Kind {
			case KillAllBrokers:
				ok = tk == AllBrokers
			case KillController, PauseController, IsolateCtrl:
				ok = tk == ActiveController || (tk == Controller && e.Target.ID >= 1001 && e.Target.ID <= 1003)
			case KillConsumer:
				ok = tk == Consumer && e.Target.ID >= 0 && e.Target.ID < 2
			case SplitLeader:
				ok = tk == Leader
			default:
				ok = (tk == Leader && e.Target.Partition >= 0 && e.Target.Partition < 6) ||
					(tk == Broker && e.Target.ID >= 1 && e.Target.ID <= 3)
			}
			if !ok {
				t.Fatalf("seed %d: %v has a target that does not fit", seed, e)
			}
		}
	}
}

func TestConsumerFaultsNeedConsumers(t *testing.T) {
	p := params(7, KillConsumer)
	p.Consumers = 0
	if _, err := Generate(p); err == nil {
		t.Error("kill-consumer without consumers accepted")
	}
	p = params(7, KillConsumer, KillBroker)
	p.Consumers = 0
	ev, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		if e.Kind == KillConsumer {
			t.Fatalf("%v scheduled without consumers", e)
		}
	}
}

func TestBadParametersAreErrors(t *testing.T) {
	if _, err := ParseKinds("kill,explode"); err == nil {
		t.Error("unknown fault accepted")
	}
	if _, err := ParseKinds(" , "); err == nil {
		t.Error("empty fault list accepted")
	}
	p := params(1)
	p.Duration = 0
	if _, err := Generate(p); err == nil {
		t.Error("zero duration accepted")
	}
	p = params(1)
	p.MinGap = -time.Second
	if _, err := Generate(p); err == nil {
		t.Error("negative gap accepted")
	}
}

func TestShortDurationsGiveFewOrNoFaults(t *testing.T) {
	p := params(3)
	p.Duration = 4 * time.Second
	ev, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		if e.At+e.For > p.Duration {
			t.Errorf("%v beyond %v", e, p.Duration)
		}
	}
}
