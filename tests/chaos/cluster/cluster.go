// Package cluster drives the namespace cluster of tests/chaos/netns_cluster.sh
// (commands such as `kill b2`, `cut b1 controllers`) and reads the nodes'
// HTTP /status pages to find the active controller and partition leaders.
package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// Node names as the launcher knows them.
var (
	Controllers = []string{"c1", "c2", "c3"}
	Brokers     = []string{"b1", "b2", "b3"}
)

// BrokerName maps a broker id (1..) to its node name; ControllerName maps a
// controller id (1001..).
func BrokerName(id int) string     { return fmt.Sprintf("b%d", id) }
func ControllerName(id int) string { return fmt.Sprintf("c%d", id-1000) }

// Cluster is one running namespace cluster.
type Cluster struct {
	Script string
	Topic  string
	ips    map[string]string
	http   *http.Client
}

// New asks the launcher for every node's address.
func New(script, topic string) (*Cluster, error) {
	c := &Cluster{Script: script, Topic: topic, ips: map[string]string{},
		http: &http.Client{Timeout: 1500 * time.Millisecond}}
	for _, n := range append(append([]string{}, Controllers...), Brokers...) {
		out, err := exec.Command(script, "ip", n).Output()
		if err != nil {
			return nil, fmt.Errorf("%s ip %s: %v", script, n, err)
		}
		c.ips[n] = strings.TrimSpace(string(out))
	}
	return c, nil
}

// Do runs a launcher command (kill b2, cut b1 controllers, ...).
func (c *Cluster) Do(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, c.Script, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", c.Script, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Bootstrap is the Kafka bootstrap list.
func (c *Cluster) Bootstrap() []string {
	var out []string
	for _, b := range Brokers {
		out = append(out, c.ips[b]+":9092")
	}
	return out
}

// PartitionState is a partition as the controller's image holds it.
type PartitionState struct {
	Partition   int   `json:"partition"`
	Leader      int   `json:"leader"`
	LeaderEpoch int   `json:"leader_epoch"`
	Replicas    []int `json:"replicas"`
	ISR         []int `json:"isr"`
}

// ControllerStatus is the part of a controller's /status the runner uses.
type ControllerStatus struct {
	NodeID  int  `json:"node_id"`
	Active  bool `json:"active"`
	Leader  int  `json:"leader"`
	Term    int  `json:"term"`
	Brokers []struct {
		ID     int  `json:"id"`
		Fenced bool `json:"fenced"`
	} `json:"brokers"`
	Topics []struct {
		Name       string           `json:"name"`
		Partitions []PartitionState `json:"partitions"`
	} `json:"topics"`
}

func (c *Cluster) get(node string, port int, v any) error {
	resp, err := c.http.Get(fmt.Sprintf("http://%s:%d/status", c.ips[node], port))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// Active finds the active controller: of those that say they are active,
// the one with the highest term (a cut-off old leader may still believe it
// is). ok is false when none answers as active.
func (c *Cluster) Active() (name string, st *ControllerStatus, ok bool) {
	best := -1
	for _, n := range Controllers {
		var s ControllerStatus
		if err := c.get(n, 8301, &s); err != nil || !s.Active {
			continue
		}
		if s.Term > best {
			best, name, st = s.Term, n, &s
		}
	}
	return name, st, st != nil
}

// Partitions returns the topic's partitions as the active controller sees
// them.
func (c *Cluster) Partitions() ([]PartitionState, bool) {
	_, st, ok := c.Active()
	if !ok {
		return nil, false
	}
	for _, t := range st.Topics {
		if t.Name == c.Topic {
			ps := append([]PartitionState{}, t.Partitions...)
			sort.Slice(ps, func(i, j int) bool { return ps[i].Partition < ps[j].Partition })
			return ps, true
		}
	}
	return nil, false
}

// Leader names the broker leading partition p, if known.
func (c *Cluster) Leader(p int) (node string, epoch int, ok bool) {
	ps, ok := c.Partitions()
	if !ok {
		return "", 0, false
	}
	for _, s := range ps {
		if s.Partition == p && s.Leader >= 0 {
			return BrokerName(s.Leader), s.LeaderEpoch, true
		}
	}
	return "", 0, false
}

// Summary is a one-line view of the partitions: p0=b1/e3[1,2,3] ...
func (c *Cluster) Summary() string {
	name, _, ok := c.Active()
	if !ok {
		return "no active controller"
	}
	ps, ok := c.Partitions()
	if !ok {
		return "active " + name + "; topic not in its image"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "active %s;", name)
	for _, p := range ps {
		fmt.Fprintf(&b, " p%d=b%d/e%d%v", p.Partition, p.Leader, p.LeaderEpoch, p.ISR)
	}
	return b.String()
}

// BrokerStatus is the part of a broker's /status the runner uses.
type BrokerStatus struct {
	Ready  bool `json:"ready"`
	Fenced bool `json:"fenced"`
}

// Healthy: an active controller, every broker ready and unfenced, every
// partition of the topic with a leader and, when wantISR > 0, at least that
// many in-sync replicas.
func (c *Cluster) Healthy(wantISR int) (bool, string) {
	for _, b := range Brokers {
		var s BrokerStatus
		if err := c.get(b, 8081, &s); err != nil {
			return false, b + ": " + err.Error()
		}
		if !s.Ready || s.Fenced {
			return false, fmt.Sprintf("%s: ready=%v fenced=%v", b, s.Ready, s.Fenced)
		}
	}
	ps, ok := c.Partitions()
	if !ok {
		return false, "no active controller or topic unknown"
	}
	for _, p := range ps {
		if p.Leader < 0 {
			return false, fmt.Sprintf("p%d has no leader", p.Partition)
		}
		if len(p.ISR) < wantISR {
			return false, fmt.Sprintf("p%d ISR %v", p.Partition, p.ISR)
		}
	}
	return true, c.Summary()
}
