// Package checker compares what a chaos run's producer was told with what its
// consumers read, and reports every acknowledged record that was lost,
// duplicated, reordered or moved, and every record that was never sent.
//
// The logs are plain text, one event a line, written by the workload
// (tests/chaos/workload):
//
//	producer log                       consumer log (live consumers and the final read)
//	R <run> <topic>                    M <name> <mode: group|assign|final>
//	A <seq> <partition> <offset>       C <partition> <offset> <id>
//	F <seq> <partition> <error...>     H <partition> <end offset>   (final read: range read)
//	L <partition> <detail...>          L <partition> <detail...>
//	E <sent> <acked> <failed>          E <records>
//
// A = acknowledged, F = failed (indeterminate: it may or may not be in the log),
// L = the client itself detected data loss, E = the log was closed cleanly.
// A record's id is "<run>/<seq>" (the part of its value before ':'); a value
// the workload did not write is logged as "?<hex>". Lines starting with '#'
// are comments.
package checker

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Seq states in a producer log.
const (
	stateUnknown uint8 = iota
	stateAcked
	stateFailed
)

type sent struct {
	state     uint8
	partition int32
	offset    int64 // -1 when not known
	acks      uint8 // how many A lines named this seq (more than one is a violation)
}

// ProducerLog is one producer run: what it sent and what it was told.
type ProducerLog struct {
	Path     string
	Run      string
	Topic    string
	Complete bool  // an E line was read
	Sent     int64 // from the E line
	seqs     []sent
	// ClientDataLoss lists L lines: the client detected data loss.
	ClientDataLoss []string
	Malformed      []string
	// Torn: the log ends in a line without its newline (the writer was
	// killed in the middle of a write); that line is ignored.
	Torn bool
}

func (p *ProducerLog) at(seq int64) *sent {
	for int64(len(p.seqs)) <= seq {
		p.seqs = append(p.seqs, sent{offset: -1})
	}
	return &p.seqs[seq]
}

// Observation is one record a consumer read. Run and Seq come from the
// record's id; Raw holds the id when it is not "<run>/<seq>".
type Observation struct {
	Partition int32
	Offset    int64
	Run       string
	Seq       int64
	Raw       string
}

// ID is the record's id as logged.
func (o Observation) ID() string {
	if o.Raw != "" {
		return o.Raw
	}
	return o.Run + "/" + strconv.FormatInt(o.Seq, 10)
}

// ConsumerLog is one consumer incarnation's reads (or the final read).
type ConsumerLog struct {
	Path     string
	Name     string
	Mode     string // group | assign | final
	Complete bool
	Records  []Observation
	// Ends maps partition -> end offset the final read read up to (H lines).
	Ends           map[int32]int64
	ClientDataLoss []string
	Malformed      []string
	Torn           bool // see ProducerLog.Torn
}

// maxSeq bounds the sequence numbers a log may name, so a corrupt log cannot
// make the checker allocate without limit.
const maxSeq = 1 << 31

// ParseProducerLog reads a producer log.
func ParseProducerLog(path string, r io.Reader) (*ProducerLog, error) {
	p := &ProducerLog{Path: path}
	sc, partial := newLineScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if *partial {
			p.Torn = true
			continue
		}
		if text == "" || text[0] == '#' {
			continue
		}
		bad := func(why string) {
			p.Malformed = append(p.Malformed, fmt.Sprintf("%s:%d: %s: %q", path, line, why, clip(text)))
		}
		f := strings.Fields(text)
		switch f[0] {
		case "R":
			if len(f) < 3 || p.Run != "" {
				bad("bad or repeated R line")
				continue
			}
			p.Run, p.Topic = f[1], f[2]
		case "A":
			if len(f) != 4 {
				bad("A needs seq partition offset")
				continue
			}
			seq, e1 := parseSeq(f[1])
			part, e2 := strconv.ParseInt(f[2], 10, 32)
			off, e3 := strconv.ParseInt(f[3], 10, 64)
			if e1 != nil || e2 != nil || e3 != nil || part < 0 || off < 0 {
				bad("bad number")
				continue
			}
			s := p.at(seq)
			if s.acks < 255 {
				s.acks++
			}
			if s.state == stateAcked && (s.partition != int32(part) || s.offset != off) {
				bad(fmt.Sprintf("seq %d acknowledged twice at different places (%d@%d)", seq, s.partition, s.offset))
				continue
			}
			s.state, s.partition, s.offset = stateAcked, int32(part), off
		case "F":
			if len(f) < 3 {
				bad("F needs seq partition")
				continue
			}
			seq, e1 := parseSeq(f[1])
			part, e2 := strconv.ParseInt(f[2], 10, 32)
			if e1 != nil || e2 != nil {
				bad("bad number")
				continue
			}
			s := p.at(seq)
			if s.state == stateAcked {
				bad(fmt.Sprintf("seq %d both acknowledged and failed", seq))
				continue
			}
			s.state, s.partition = stateFailed, int32(part)
		case "L":
			p.ClientDataLoss = append(p.ClientDataLoss, fmt.Sprintf("%s:%d: %s", path, line, clip(text)))
		case "E":
			if len(f) < 2 {
				bad("E needs the count sent")
				continue
			}
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				bad("bad number")
				continue
			}
			p.Complete, p.Sent = true, n
		default:
			bad("unknown line")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Run == "" {
		return nil, fmt.Errorf("%s: no R line (not a producer log?)", path)
	}
	return p, nil
}

// ParseConsumerLog reads a consumer or final-read log.
func ParseConsumerLog(path string, r io.Reader) (*ConsumerLog, error) {
	c := &ConsumerLog{Path: path, Ends: map[int32]int64{}}
	runs := map[string]string{} // interned run ids: one string per run, not per record
	sc, partial := newLineScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if *partial {
			c.Torn = true
			continue
		}
		if text == "" || text[0] == '#' {
			continue
		}
		bad := func(why string) {
			c.Malformed = append(c.Malformed, fmt.Sprintf("%s:%d: %s: %q", path, line, why, clip(text)))
		}
		f := strings.Fields(text)
		switch f[0] {
		case "M":
			if len(f) < 3 || c.Name != "" {
				bad("bad or repeated M line")
				continue
			}
			c.Name, c.Mode = f[1], f[2]
		case "C":
			if len(f) != 4 {
				bad("C needs partition offset id")
				continue
			}
			part, e1 := strconv.ParseInt(f[1], 10, 32)
			off, e2 := strconv.ParseInt(f[2], 10, 64)
			if e1 != nil || e2 != nil || part < 0 || off < 0 {
				bad("bad number")
				continue
			}
			o := Observation{Partition: int32(part), Offset: off}
			if run, seq, ok := ParseID(f[3]); ok {
				if interned, ok := runs[run]; ok {
					run = interned
				} else {
					run = strings.Clone(run)
					runs[run] = run
				}
				o.Run, o.Seq = run, seq
			} else {
				o.Raw = strings.Clone(f[3])
			}
			c.Records = append(c.Records, o)
		case "H":
			if len(f) != 3 {
				bad("H needs partition end")
				continue
			}
			part, e1 := strconv.ParseInt(f[1], 10, 32)
			end, e2 := strconv.ParseInt(f[2], 10, 64)
			if e1 != nil || e2 != nil {
				bad("bad number")
				continue
			}
			c.Ends[int32(part)] = end
		case "L":
			c.ClientDataLoss = append(c.ClientDataLoss, fmt.Sprintf("%s:%d: %s", path, line, clip(text)))
		case "E":
			c.Complete = true
		default:
			bad("unknown line")
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Name == "" {
		return nil, fmt.Errorf("%s: no M line (not a consumer log?)", path)
	}
	return c, nil
}

// ReadProducerLog and ReadConsumerLog open and parse a file.
func ReadProducerLog(path string) (*ProducerLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseProducerLog(path, f)
}

func ReadConsumerLog(path string) (*ConsumerLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseConsumerLog(path, f)
}

// newLineScanner splits lines; *partial is true while the current token is a
// last line that has no newline.
func newLineScanner(r io.Reader) (*bufio.Scanner, *bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	partial := new(bool)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, tok, err := bufio.ScanLines(data, atEOF)
		*partial = atEOF && tok != nil && adv == len(data) && (len(data) == 0 || data[len(data)-1] != '\n')
		return adv, tok, err
	})
	return sc, partial
}

func parseSeq(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n < 0 || n >= maxSeq {
		return 0, fmt.Errorf("seq %d out of range", n)
	}
	return n, nil
}

// ParseID splits a record id "<run>/<seq>".
func ParseID(id string) (run string, seq int64, ok bool) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "", 0, false
	}
	n, err := parseSeq(id[i+1:])
	if err != nil {
		return "", 0, false
	}
	return id[:i], n, true
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
