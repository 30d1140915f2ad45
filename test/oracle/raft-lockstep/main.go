// Command raft-lockstep runs seeded schedules on etcd's raft (RawNode over
// MemoryStorage) and prints every Ready as a JSON line, so that walt's raft can
// run the same schedules and be compared with it line for line
// (test/raft/lockstep.test.ts, scripts/raft-differential.sh).
//
// It is our code; it only calls etcd's exported API, plus one linkname to
// seed raft's election-timeout random source (see seedElectionRand). Build it
// with test/oracle/build.sh OUT test/oracle/raft-lockstep (GOPATH mode
// against Debian's etcd 3.4 sources).
//
// Input: one schedule per line on stdin (JSON, made by
// test/raft/lockstep/schedule.ts). Output: for each schedule, its lines
// (see test/raft/lockstep/driver.ts, whose format this mirrors), then
// {"end":SEED}.
package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"go.etcd.io/etcd/raft"
	pb "go.etcd.io/etcd/raft/raftpb"
)

// lockedRand has the layout of raft's unexported lockedRand (raft.go).
type lockedRand struct {
	mu   sync.Mutex
	rand *rand.Rand
}

// raft.globalRand (a *lockedRand) draws every node's randomized election
// timeout (resetRandomizedElectionTimeout: electionTimeout +
// globalRand.Intn(electionTimeout)). Declared as unsafe.Pointer: the linker
// has no debug type for a linknamed variable of a type of ours.
//
//go:linkname globalRand go.etcd.io/etcd/raft.globalRand
var globalRand unsafe.Pointer

// splitmix64 is the source both sides share: walt's side computes the same
// numbers (test/raft/lockstep/election-rand.ts) and feeds them to Config.rand.
type splitmix64 struct{ s uint64 }

func (x *splitmix64) Uint64() uint64 {
	x.s += 0x9e3779b97f4a7c15
	z := x.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
func (x *splitmix64) Int63() int64    { return int64(x.Uint64() >> 1) }
func (x *splitmix64) Seed(seed int64) { x.s = uint64(seed) }

func seedElectionRand(seed uint64) {
	g := (*lockedRand)(globalRand)
	g.mu.Lock()
	g.rand = rand.New(&splitmix64{s: seed})
	g.mu.Unlock()
}

type schedule struct {
	Seed     uint64     `json:"seed"`
	Rand     string     `json:"rand"`
	IDs      []uint64   `json:"ids"`
	Voters   []uint64   `json:"voters"`
	Learners []uint64   `json:"learners"`
	Cfg      cfg        `json:"cfg"`
	Ops      [][]uint64 `json:"ops"`
}

type cfg struct {
	ElectionTick  int   `json:"electionTick"`
	HeartbeatTick int   `json:"heartbeatTick"`
	CheckQuorum   bool  `json:"checkQuorum"`
	PreVote       bool  `json:"preVote"`
	LeaseBased    bool  `json:"leaseBased"`
	MaxSizePerMsg int64 `json:"maxSizePerMsg"` // -1: no limit
	MaxInflight   int   `json:"maxInflight"`
	MaxUncommit   int64 `json:"maxUncommitted"`
}

// The op codes of test/raft/lockstep/schedule.ts.
const (
	opTick = iota
	opTickAll
	opCampaign
	opPropose
	opConfChange
	opConfChangeV2
	opTransfer
	opReadIndex
	opDeliver
	opDrop
	opDuplicate
	opDeliverAll
	opSnapshot
	opRestart
	opUnreachable
	opStall
)

// statusEvery: every node's Status is printed after every statusEvery steps and at the end.
const statusEvery = 25

type node struct {
	id      uint64
	rn      *raft.RawNode
	storage *raft.MemoryStorage
	applied uint64
	cs      pb.ConfState
}

type run struct {
	s     *schedule
	nodes map[uint64]*node
	net   []pb.Message
	step  int
	out   *bufio.Writer
	// stalledUntil: a node's Readies wait until this step (opStall).
	stalledUntil map[uint64]int
}

type nopLogger struct{}

func (nopLogger) Debug(...interface{})            {}
func (nopLogger) Debugf(string, ...interface{})   {}
func (nopLogger) Error(...interface{})            {}
func (nopLogger) Errorf(string, ...interface{})   {}
func (nopLogger) Info(...interface{})             {}
func (nopLogger) Infof(string, ...interface{})    {}
func (nopLogger) Warning(...interface{})          {}
func (nopLogger) Warningf(string, ...interface{}) {}
func (nopLogger) Fatal(v ...interface{})          { panic(fmt.Sprint(v...)) }
func (nopLogger) Fatalf(f string, v ...interface{}) {
	panic(fmt.Sprintf(f, v...))
}
func (nopLogger) Panic(v ...interface{}) { panic(fmt.Sprint(v...)) }
func (nopLogger) Panicf(f string, v ...interface{}) {
	panic(fmt.Sprintf(f, v...))
}

func (r *run) config(n *node) *raft.Config {
	c := r.s.Cfg
	maxSize := uint64(math.MaxUint64)
	if c.MaxSizePerMsg >= 0 {
		maxSize = uint64(c.MaxSizePerMsg)
	}
	ro := raft.ReadOnlySafe
	if c.LeaseBased {
		ro = raft.ReadOnlyLeaseBased
	}
	return &raft.Config{
		ID:                        n.id,
		ElectionTick:              c.ElectionTick,
		HeartbeatTick:             c.HeartbeatTick,
		Storage:                   n.storage,
		Applied:                   n.applied,
		MaxSizePerMsg:             maxSize,
		MaxInflightMsgs:           c.MaxInflight,
		MaxUncommittedEntriesSize: uint64(c.MaxUncommit),
		CheckQuorum:               c.CheckQuorum,
		PreVote:                   c.PreVote,
		ReadOnlyOption:            ro,
		Logger:                    nopLogger{},
	}
}

func (r *run) start(n *node) {
	rn, err := raft.NewRawNode(r.config(n))
	if err != nil {
		panic(err)
	}
	n.rn = rn
}

// ---- output: the same shapes as driver.ts prints --------------------------

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func ids(v []uint64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = u(x)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func b(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

func hx(d []byte) string { return `"` + hex.EncodeToString(d) + `"` }

func confState(cs pb.ConfState) string {
	return "[" + ids(cs.Voters) + "," + ids(cs.Learners) + "," + ids(cs.VotersOutgoing) + "," + ids(cs.LearnersNext) + "," + b(cs.AutoLeave) + "]"
}

func entries(es []pb.Entry) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = "[" + u(e.Term) + "," + u(e.Index) + "," + strconv.Itoa(int(e.Type)) + "," + hx(e.Data) + "]"
	}
	return "[" + strings.Join(s, ",") + "]"
}

func snapshot(s pb.Snapshot) string {
	return "[" + u(s.Metadata.Index) + "," + u(s.Metadata.Term) + "," + confState(s.Metadata.ConfState) + "," + hx(s.Data) + "]"
}

func message(m pb.Message) string {
	snap := "null"
	if m.Snapshot.Metadata.Index != 0 {
		snap = snapshot(m.Snapshot)
	}
	return "[" + strconv.Itoa(int(m.Type)) + "," + u(m.To) + "," + u(m.From) + "," + u(m.Term) + "," + u(m.LogTerm) + "," +
		u(m.Index) + "," + u(m.Commit) + "," + b(m.Reject) + "," + u(m.RejectHint) + "," + entries(m.Entries) + "," + snap + "," + hx(m.Context) + "]"
}

func (r *run) line(n uint64, fields ...string) {
	r.out.WriteString(`{"s":` + strconv.Itoa(r.step) + `,"n":` + u(n))
	for _, f := range fields {
		r.out.WriteString("," + f)
	}
	r.out.WriteString("}\n")
}

func (r *run) printReady(n *node, rd raft.Ready) {
	var f []string
	if rd.SoftState != nil {
		f = append(f, `"ss":[`+u(rd.SoftState.Lead)+`,`+strconv.Itoa(int(rd.SoftState.RaftState))+`]`)
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		f = append(f, `"hs":[`+u(rd.HardState.Term)+`,`+u(rd.HardState.Vote)+`,`+u(rd.HardState.Commit)+`]`)
	}
	if len(rd.ReadStates) > 0 {
		s := make([]string, len(rd.ReadStates))
		for i, rs := range rd.ReadStates {
			s[i] = "[" + u(rs.Index) + "," + hx(rs.RequestCtx) + "]"
		}
		f = append(f, `"rs":[`+strings.Join(s, ",")+`]`)
	}
	if len(rd.Entries) > 0 {
		f = append(f, `"ents":`+entries(rd.Entries))
	}
	if !raft.IsEmptySnap(rd.Snapshot) {
		f = append(f, `"snap":`+snapshot(rd.Snapshot))
	}
	if len(rd.CommittedEntries) > 0 {
		f = append(f, `"ce":`+entries(rd.CommittedEntries))
	}
	if len(rd.Messages) > 0 {
		s := make([]string, len(rd.Messages))
		for i, m := range rd.Messages {
			s[i] = message(m)
		}
		f = append(f, `"msgs":[`+strings.Join(s, ",")+`]`)
	}
	f = append(f, `"sync":`+b(rd.MustSync))
	r.line(n.id, f...)
}

// ---- the application: persist, send, apply, advance (etcd's order) --------

func (r *run) handleReady(n *node) {
	rd := n.rn.Ready()
	r.printReady(n, rd)
	if !raft.IsEmptySnap(rd.Snapshot) {
		if err := n.storage.ApplySnapshot(rd.Snapshot); err != nil {
			panic(err)
		}
		n.applied = rd.Snapshot.Metadata.Index
		n.cs = rd.Snapshot.Metadata.ConfState
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		n.storage.SetHardState(rd.HardState)
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		panic(err)
	}
	for _, m := range rd.Messages {
		r.net = append(r.net, wire(m))
	}
	for _, e := range rd.CommittedEntries {
		n.applied = e.Index
		var cc pb.ConfChangeI
		switch e.Type {
		case pb.EntryConfChange:
			var c pb.ConfChange
			if err := c.Unmarshal(e.Data); err != nil {
				panic(err)
			}
			cc = c
		case pb.EntryConfChangeV2:
			var c pb.ConfChangeV2
			if err := c.Unmarshal(e.Data); err != nil {
				panic(err)
			}
			cc = c
		default:
			continue
		}
		r.applyConfChange(n, e.Index, cc)
	}
	n.rn.Advance(rd)
}

// applyConfChange prints the new ConfState, or that raft refused the change
// (etcd 3.4 panics in applyConfChange before touching its state).
func (r *run) applyConfChange(n *node, index uint64, cc pb.ConfChangeI) {
	defer func() {
		if p := recover(); p != nil {
			r.line(n.id, `"apply":`+u(index), `"refused":1`)
		}
	}()
	cs := n.rn.ApplyConfChange(cc)
	n.cs = *cs
	r.line(n.id, `"apply":`+u(index), `"cs":`+confState(*cs))
}

// settle hands out Readies, in node order, until no node has one (a stalled node waits).
func (r *run) settle() {
	for busy := true; busy; {
		busy = false
		for _, id := range r.s.IDs {
			n := r.nodes[id]
			if r.step < r.stalledUntil[id] {
				continue
			}
			if n.rn.HasReady() {
				r.handleReady(n)
				busy = true
			}
		}
	}
}

// wire is m as its receiver gets it: encoded and decoded, sharing no memory
// with the sender's log or with another copy in flight (raft edits a
// proposal's entries in place).
func wire(m pb.Message) pb.Message {
	b, err := m.Marshal()
	if err != nil {
		panic(err)
	}
	var c pb.Message
	if err := c.Unmarshal(b); err != nil {
		panic(err)
	}
	return c
}

func sortedKeys(m map[uint64]struct{}) []uint64 {
	v := make([]uint64, 0, len(m))
	for id := range m {
		v = append(v, id)
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v
}

// printStatus prints what Status shows of each node: state the Readies may
// not have shown yet (the configuration, a leader's view of its followers).
func (r *run) printStatus() {
	for _, id := range r.s.IDs {
		st := r.nodes[id].rn.Status()
		// Not AutoLeave: Status's copy of the configuration (tracker.Config.Clone)
		// drops it in etcd 3.4 and 3.5. The applied ConfStates print it.
		c := st.Config
		cfg := "[" + ids(c.Voters[0].Slice()) + "," + ids(c.Voters[1].Slice()) + "," + ids(sortedKeys(c.Learners)) + "," +
			ids(sortedKeys(c.LearnersNext)) + "]"
		var prs []string
		for _, pid := range r.s.IDs {
			pr, ok := st.Progress[pid]
			if !ok {
				continue
			}
			prs = append(prs, "["+u(pid)+","+u(pr.Match)+","+u(pr.Next)+","+strconv.Itoa(int(pr.State))+","+u(pr.PendingSnapshot)+","+
				b(pr.RecentActive)+","+b(pr.ProbeSent)+","+b(pr.IsLearner)+","+strconv.Itoa(pr.Inflights.Count())+"]")
		}
		r.line(id, `"st":[`+u(st.Term)+","+u(st.Vote)+","+u(st.Commit)+","+u(st.Lead)+","+strconv.Itoa(int(st.RaftState))+","+
			u(st.Applied)+","+u(st.LeadTransferee)+"]", `"cfg":`+cfg, `"prs":[`+strings.Join(prs, ",")+"]")
	}
}

func (r *run) stepErr(n uint64, err error) {
	if err != nil {
		r.line(n, `"err":`+strconv.Quote(err.Error()))
	}
}

func (r *run) deliver(k int) {
	m := r.net[k]
	r.net = append(r.net[:k], r.net[k+1:]...)
	r.stepErr(m.To, r.nodes[m.To].rn.Step(m))
	if m.Type == pb.MsgSnap {
		r.nodes[m.From].rn.ReportSnapshot(m.To, raft.SnapshotFinish)
	}
}

func (r *run) exec(op []uint64) {
	arg := func(i int) uint64 { return op[i] }
	nd := func() *node { return r.nodes[arg(1)] }
	switch op[0] {
	case opTick:
		nd().rn.Tick()
	case opTickAll:
		for _, id := range r.s.IDs {
			r.nodes[id].rn.Tick()
		}
	case opCampaign:
		r.stepErr(arg(1), nd().rn.Campaign())
	case opPropose:
		r.stepErr(arg(1), nd().rn.Propose([]byte("p"+strconv.Itoa(r.step))))
	case opConfChange:
		cc := pb.ConfChange{Type: pb.ConfChangeType(arg(2)), NodeID: arg(3)}
		r.stepErr(arg(1), nd().rn.ProposeConfChange(cc))
	case opConfChangeV2:
		cc := pb.ConfChangeV2{Transition: pb.ConfChangeTransition(arg(2))}
		for i := 3; i+1 < len(op); i += 2 {
			cc.Changes = append(cc.Changes, pb.ConfChangeSingle{Type: pb.ConfChangeType(arg(i)), NodeID: arg(i + 1)})
		}
		r.stepErr(arg(1), nd().rn.ProposeConfChange(cc))
	case opTransfer:
		nd().rn.TransferLeader(arg(2))
	case opReadIndex:
		nd().rn.ReadIndex([]byte("r" + strconv.Itoa(r.step)))
	case opDeliver, opDrop, opDuplicate:
		if len(r.net) == 0 {
			return
		}
		k := int(arg(1) % uint64(len(r.net)))
		switch op[0] {
		case opDeliver:
			r.deliver(k)
		case opDrop:
			m := r.net[k]
			r.net = append(r.net[:k], r.net[k+1:]...)
			if m.Type == pb.MsgSnap {
				r.nodes[m.From].rn.ReportSnapshot(m.To, raft.SnapshotFailure)
			}
		default:
			r.net = append(r.net, wire(r.net[k]))
		}
	case opDeliverAll:
		for n := len(r.net); n > 0; n-- {
			r.deliver(0)
		}
	case opSnapshot:
		n := nd()
		snap, _ := n.storage.Snapshot()
		if n.applied <= snap.Metadata.Index {
			return
		}
		cs := n.cs
		if _, err := n.storage.CreateSnapshot(n.applied, &cs, []byte("s"+u(n.applied))); err != nil {
			panic(err)
		}
		// Keep arg(2) entries before the snapshot, as etcd's server keeps some for slow followers.
		first, _ := n.storage.FirstIndex()
		if arg(2) < n.applied && n.applied-arg(2) >= first {
			if err := n.storage.Compact(n.applied - arg(2)); err != nil {
				panic(err)
			}
		}
	case opRestart:
		n := nd()
		snap, _ := n.storage.Snapshot()
		n.applied = snap.Metadata.Index
		n.cs = snap.Metadata.ConfState
		r.start(n)
	case opUnreachable:
		nd().rn.ReportUnreachable(arg(2))
	case opStall:
		r.stalledUntil[arg(1)] = r.step + int(arg(2))
	default:
		panic(fmt.Sprintf("unknown op %d", op[0]))
	}
}

func (r *run) run() {
	defer func() {
		if p := recover(); p != nil {
			r.out.WriteString(`{"s":` + strconv.Itoa(r.step) + `,"panic":` + strconv.Quote(fmt.Sprint(p)) + "}\n")
		}
	}()
	cs := pb.ConfState{Voters: r.s.Voters, Learners: r.s.Learners}
	for _, id := range r.s.IDs {
		n := &node{id: id, storage: raft.NewMemoryStorage()}
		member := false
		for _, v := range append(append([]uint64{}, r.s.Voters...), r.s.Learners...) {
			member = member || v == id
		}
		if member {
			// Bootstrapped as etcd's interaction tests do: a snapshot at index 1 holding the configuration.
			if err := n.storage.ApplySnapshot(pb.Snapshot{Metadata: pb.SnapshotMetadata{Index: 1, Term: 1, ConfState: cs}}); err != nil {
				panic(err)
			}
			n.applied = 1
			n.cs = cs
		}
		r.nodes[id] = n
		r.start(n)
	}
	for i, op := range r.s.Ops {
		r.step = i
		r.exec(op)
		r.settle()
		if i%statusEvery == statusEvery-1 || i == len(r.s.Ops)-1 {
			r.printStatus()
		}
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	for in.Scan() {
		var s schedule
		if err := json.Unmarshal(in.Bytes(), &s); err != nil {
			fmt.Fprintln(os.Stderr, "raft-lockstep: bad schedule:", err)
			os.Exit(2)
		}
		seed, err := strconv.ParseUint(s.Rand, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "raft-lockstep: bad rand seed:", err)
			os.Exit(2)
		}
		seedElectionRand(seed)
		r := &run{s: &s, nodes: map[uint64]*node{}, out: out, stalledUntil: map[uint64]int{}}
		r.run()
		out.WriteString(`{"end":` + u(s.Seed) + "}\n")
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "raft-lockstep:", err)
		os.Exit(2)
	}
}
