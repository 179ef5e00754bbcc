// Package workload is the chaos runs' traffic: an idempotent acks=all
// producer that logs every acknowledgement, group consumers that log every
// record they receive, and a final reader that reads every partition to its
// end. The log formats are described in package checker.
package workload

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"time"
)

// LogFile collects whole lines and writes them with one write(2) per flush,
// so a process killed at any moment leaves only whole lines behind (a write
// to a regular file is never cut short by a signal).
type LogFile struct {
	mu  sync.Mutex
	f   *os.File
	buf bytes.Buffer
	err error
}

// CreateLog creates (truncates) path.
func CreateLog(path string) (*LogFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &LogFile{f: f}, nil
}

// Linef adds one line (a newline is appended).
func (l *LogFile) Linef(format string, args ...any) {
	l.mu.Lock()
	fmt.Fprintf(&l.buf, format, args...)
	l.buf.WriteByte('\n')
	l.mu.Unlock()
}

// Append adds bytes that already hold whole lines.
func (l *LogFile) Append(b []byte) {
	l.mu.Lock()
	l.buf.Write(b)
	l.mu.Unlock()
}

// Flush writes what was added since the last flush.
func (l *LogFile) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 0 && l.err == nil {
		_, l.err = l.f.Write(l.buf.Bytes())
	}
	l.buf.Reset()
	return l.err
}

// FlushEvery flushes on a timer until stop is closed.
func (l *LogFile) FlushEvery(d time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.Flush()
		case <-stop:
			return
		}
	}
}

// Close flushes and closes.
func (l *LogFile) Close() error {
	err := l.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
