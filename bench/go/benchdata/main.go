// Command benchdata makes walt's benchmark data: production-shaped requests
// (workload.go) written through a running etcd 3.4 with its clientv3
// (`load`), or straight into a WAL by etcd's own wal package (`wal`), for a
// log larger than a server would write in minutes. Built like walt's Go
// oracle, in GOPATH mode against Debian's golang-etcd-server-dev.
//
//	benchdata load -endpoint HOST:PORT -ops N -keys K -seed S
//	benchdata wal -from DATA_DIR -out WAL_DIR -ops N -keys K -seed S
//
// Progress goes to stderr; a JSON summary to stdout. Either way the last
// request is a put of SentinelKey: a replay is complete when it is served.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

const SentinelKey = "/bench/last"

// Summary is what the bench records beside the data.
type Summary struct {
	Ops           int            `json:"ops"`
	Kinds         map[string]int `json:"kinds"`
	DistinctKeys  int            `json:"distinctKeys"`
	SentinelKey   string         `json:"sentinelKey"`
	SentinelValue string         `json:"sentinelValue"`
	LastRevision  int64          `json:"lastRevision,omitempty"`
	LastIndex     uint64         `json:"lastIndex,omitempty"`
}

// progress prints a line at every twentieth of the work.
type progress struct {
	what  string
	total int
	start time.Time
	next  int
}

func newProgress(what string, total int) *progress {
	return &progress{what: what, total: total, start: time.Now(), next: total / 20}
}

func (p *progress) at(n int) {
	if n < p.next && n != p.total {
		return
	}
	p.next += p.total / 20
	s := time.Since(p.start).Seconds()
	fmt.Fprintf(os.Stderr, "  %s: %d/%d (%.0f%%) in %.1f s, %.0f/s\n", p.what, n, p.total, 100*float64(n)/float64(p.total), s, float64(n)/s)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "benchdata: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: benchdata load|wal [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	ops := fs.Int("ops", 200000, "requests to write")
	keys := fs.Int("keys", 100000, "size of the key pools (85% plain, 15% Kubernetes objects)")
	seed := fs.Int64("seed", 1, "random seed")
	endpoint := fs.String("endpoint", "127.0.0.1:2379", "load: etcd's client endpoint")
	clients := fs.Int("clients", 64, "load: requests in flight")
	from := fs.String("from", "", "wal: a data dir written by etcd whose first entries (member bootstrap) and metadata are reused")
	out := fs.String("out", "", "wal: the WAL dir to create")
	fs.Parse(os.Args[2:])
	w := NewWorkload(*seed, *keys)
	var s Summary
	var err error
	switch os.Args[1] {
	case "load":
		s, err = load(*endpoint, w, *ops, *clients)
	case "wal":
		s, err = writeWal(*from, *out, w, *ops)
	default:
		fail("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail("%v", err)
	}
	s.Ops, s.Kinds, s.DistinctKeys, s.SentinelKey = *ops, w.Counts, len(w.Distinct), SentinelKey
	json.NewEncoder(os.Stdout).Encode(s)
}
