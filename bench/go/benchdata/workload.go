package main

import (
	"fmt"
	"math"
	"math/rand"
)

// OpKind is one kind of client request in the workload.
type OpKind int

const (
	OpPut          OpKind = iota // a plain put, sometimes with a lease
	OpK8sTxn                     // a Kubernetes object written as the API server does: a txn on its mod revision
	OpTxn                        // a txn of two puts guarded by a value compare
	OpDelete                     // a delete of a key written before
	OpDeletePrefix               // a delete of one small directory of keys
	OpGrant                      // a lease grant
	OpRevoke                     // a lease revoke (which deletes the keys attached)
)

var kindNames = []string{"put", "k8sTxn", "txn", "delete", "deletePrefix", "leaseGrant", "leaseRevoke"}

// Op is one request. LeaseSlot is -1 for none; slots map to lease IDs in the
// loader (granted by etcd) and in the WAL writer (fixed IDs).
type Op struct {
	Kind      OpKind
	Key, Key2 string
	Value     []byte
	Value2    []byte
	LeaseSlot int
}

// Workload produces a deterministic stream of production-shaped requests:
// keys drawn from a plain pool and a Kubernetes pool, values log-uniform
// between 100 bytes and 4 KB, a tenth of them Kubernetes objects.
type Workload struct {
	rnd       *rand.Rand
	plainKeys int
	k8sKeys   int
	text      []byte
	written   []string // plain keys put so far, for deletes
	leases    []int    // live lease slots
	nextSlot  int
	Distinct  map[string]struct{}
	Counts    map[string]int
}

// LeaseTTL is long enough that no lease expires while data is made or replayed.
const LeaseTTL = 24 * 3600

// anyRevision is above every revision: a Kubernetes txn's compare holds,
// as the API server's does when no one else wrote the object meanwhile.
const anyRevision = 1 << 62

// InitialLeases are granted before the first put.
const InitialLeases = 200

func NewWorkload(seed int64, keys int) *Workload {
	w := &Workload{rnd: rand.New(rand.NewSource(seed)), plainKeys: keys * 85 / 100, k8sKeys: keys * 15 / 100,
		Distinct: map[string]struct{}{}, Counts: map[string]int{}}
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-:,{}\"="
	w.text = make([]byte, 16<<10)
	for i := range w.text {
		w.text[i] = alphabet[w.rnd.Intn(len(alphabet))]
	}
	return w
}

// size is log-uniform in [100, 4096].
func (w *Workload) size() int {
	return int(math.Exp(math.Log(100) + w.rnd.Float64()*(math.Log(4096)-math.Log(100))))
}

func (w *Workload) value(n int) []byte {
	off := w.rnd.Intn(len(w.text) - n)
	return w.text[off : off+n]
}

var services = []string{"api", "auth", "billing", "cart", "catalog", "checkout", "config", "feed", "gateway", "inventory",
	"mail", "media", "notify", "orders", "payments", "profile", "queue", "search", "session", "shipping"}
var plainKinds = []string{"config", "state", "session", "lock", "job"}

func (w *Workload) plainKey() string {
	n := w.rnd.Intn(w.plainKeys)
	// Ten keys per directory, so a prefix delete removes a handful.
	return fmt.Sprintf("/app/%s/%s/%05x/item-%d", services[n%len(services)], plainKinds[(n/len(services))%len(plainKinds)], n/10, n%10)
}

func (w *Workload) leaseSlot() int {
	if len(w.leases) == 0 || w.rnd.Intn(20) != 0 {
		return -1
	}
	return w.leases[w.rnd.Intn(len(w.leases))]
}

func (w *Workload) grant() Op {
	s := w.nextSlot
	w.nextSlot++
	w.leases = append(w.leases, s)
	return Op{Kind: OpGrant, LeaseSlot: s}
}

// Next returns the i-th request (i from 0).
func (w *Workload) Next(i int) Op {
	op := w.next(i)
	w.Counts[kindNames[op.Kind]]++
	if op.Kind == OpPut || op.Kind == OpK8sTxn || op.Kind == OpTxn {
		w.Distinct[op.Key] = struct{}{}
		if op.Key2 != "" {
			w.Distinct[op.Key2] = struct{}{}
		}
	}
	return op
}

func (w *Workload) next(i int) Op {
	if i < InitialLeases {
		return w.grant()
	}
	r := w.rnd.Intn(1000)
	switch {
	case r < 100:
		key, val := w.k8sObject()
		return Op{Kind: OpK8sTxn, Key: key, Value: val, LeaseSlot: -1}
	case r < 120:
		return Op{Kind: OpTxn, Key: w.plainKey(), Key2: w.plainKey(), Value: w.value(w.size()), Value2: w.value(w.size()), LeaseSlot: -1}
	case r < 160 && len(w.written) > 0:
		return Op{Kind: OpDelete, Key: w.written[w.rnd.Intn(len(w.written))], LeaseSlot: -1}
	case r < 161:
		k := w.plainKey()
		return Op{Kind: OpDeletePrefix, Key: k[:len(k)-len("item-0")], LeaseSlot: -1}
	case r < 165:
		return w.grant()
	case r < 167 && len(w.leases) > InitialLeases/2:
		j := w.rnd.Intn(len(w.leases))
		s := w.leases[j]
		w.leases = append(w.leases[:j], w.leases[j+1:]...)
		return Op{Kind: OpRevoke, LeaseSlot: s}
	}
	key := w.plainKey()
	w.written = append(w.written, key)
	return Op{Kind: OpPut, Key: key, Value: w.value(w.size()), LeaseSlot: w.leaseSlot()}
}
