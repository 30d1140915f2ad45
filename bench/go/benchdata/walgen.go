package main

import (
	"fmt"
	"path/filepath"

	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

// leaseBase is the first lease ID the WAL writer gives a slot (etcd would pick them when granting).
const leaseBase = 0x1d0000000000

// writeWal writes a member's WAL by etcd's own wal package: the member
// bootstrap entries and metadata of `from` (so etcd starts on the result as
// the member that wrote `from`), then the workload as the entries etcd would
// have proposed, committed, in segments of wal.SegmentSizeBytes.
func writeWal(from, out string, w *Workload, ops int) (Summary, error) {
	lg := zap.NewNop()
	r, err := wal.OpenForRead(lg, filepath.Join(from, "member", "wal"), walpb.Snapshot{})
	if err != nil {
		return Summary{}, err
	}
	meta, st, ents, err := r.ReadAll()
	r.Close()
	if err != nil {
		return Summary{}, err
	}
	boot := bootstrap(ents)
	if len(boot) == 0 {
		return Summary{}, fmt.Errorf("%s: no member bootstrap entries", from)
	}
	out = filepath.Clean(out)
	ww, err := wal.Create(lg, out, meta)
	if err != nil {
		return Summary{}, err
	}
	ww.SetUnsafeNoFsync() // a benchmark input: the page cache holds it until it is read
	term, index := boot[len(boot)-1].Term, boot[len(boot)-1].Index
	hs := raftpb.HardState{Term: term, Vote: st.Vote, Commit: index}
	if err := ww.Save(hs, boot); err != nil {
		return Summary{}, err
	}
	p := newProgress("entries written", ops)
	batch := make([]raftpb.Entry, 0, 1000)
	var sentinel string
	for i := 0; i < ops; i++ {
		var req *pb.InternalRaftRequest
		if i == ops-1 {
			sentinel = fmt.Sprintf("done after %d requests", ops)
			req = &pb.InternalRaftRequest{Put: &pb.PutRequest{Key: []byte(SentinelKey), Value: []byte(sentinel)}}
		} else {
			req = request(w.Next(i))
		}
		req.Header = &pb.RequestHeader{ID: uint64(0x5eed0000000000 + i)}
		data, err := req.Marshal()
		if err != nil {
			return Summary{}, err
		}
		index++
		batch = append(batch, raftpb.Entry{Term: term, Index: index, Type: raftpb.EntryNormal, Data: data})
		if len(batch) == cap(batch) || i == ops-1 {
			hs.Commit = index
			if err := ww.Save(hs, batch); err != nil {
				return Summary{}, err
			}
			batch = batch[:0]
			p.at(i + 1)
		}
	}
	if err := ww.Close(); err != nil {
		return Summary{}, err
	}
	return Summary{SentinelValue: sentinel, LastIndex: index}, nil
}

// bootstrap is the log before the first client request: the member's
// conf change, the leader's empty entry, its attributes and cluster version.
func bootstrap(ents []raftpb.Entry) []raftpb.Entry {
	for i, e := range ents {
		if e.Type != raftpb.EntryNormal || len(e.Data) == 0 {
			continue
		}
		var r pb.InternalRaftRequest
		if r.Unmarshal(e.Data) == nil && (r.Put != nil || r.Txn != nil || r.LeaseGrant != nil || r.DeleteRange != nil) {
			return ents[:i]
		}
	}
	return nil
}

func putOp(key string, value []byte, lease int64) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestPut{RequestPut: &pb.PutRequest{Key: []byte(key), Value: value, Lease: lease}}}
}

func getOp(key string) *pb.RequestOp {
	return &pb.RequestOp{Request: &pb.RequestOp_RequestRange{RequestRange: &pb.RangeRequest{Key: []byte(key)}}}
}

// request is the op as etcd's server proposes it (etcdserver/v3_server.go).
func request(op Op) *pb.InternalRaftRequest {
	lease := int64(0)
	if op.LeaseSlot >= 0 {
		lease = leaseBase + int64(op.LeaseSlot)
	}
	switch op.Kind {
	case OpPut:
		return &pb.InternalRaftRequest{Put: &pb.PutRequest{Key: []byte(op.Key), Value: op.Value, Lease: lease}}
	case OpK8sTxn:
		c := &pb.Compare{Result: pb.Compare_LESS, Target: pb.Compare_MOD, Key: []byte(op.Key), TargetUnion: &pb.Compare_ModRevision{ModRevision: anyRevision}}
		return &pb.InternalRaftRequest{Txn: &pb.TxnRequest{Compare: []*pb.Compare{c}, Success: []*pb.RequestOp{putOp(op.Key, op.Value, 0)}, Failure: []*pb.RequestOp{getOp(op.Key)}}}
	case OpTxn:
		c := &pb.Compare{Result: pb.Compare_NOT_EQUAL, Target: pb.Compare_VALUE, Key: []byte(op.Key), TargetUnion: &pb.Compare_Value{Value: []byte("locked")}}
		return &pb.InternalRaftRequest{Txn: &pb.TxnRequest{Compare: []*pb.Compare{c}, Success: []*pb.RequestOp{putOp(op.Key, op.Value, 0), putOp(op.Key2, op.Value2, 0)}}}
	case OpDelete:
		return &pb.InternalRaftRequest{DeleteRange: &pb.DeleteRangeRequest{Key: []byte(op.Key)}}
	case OpDeletePrefix:
		end := []byte(op.Key)
		end[len(end)-1]++ // the keys under a directory ending in '/'
		return &pb.InternalRaftRequest{DeleteRange: &pb.DeleteRangeRequest{Key: []byte(op.Key), RangeEnd: end}}
	case OpGrant:
		return &pb.InternalRaftRequest{LeaseGrant: &pb.LeaseGrantRequest{TTL: LeaseTTL, ID: lease}}
	case OpRevoke:
		return &pb.InternalRaftRequest{LeaseRevoke: &pb.LeaseRevokeRequest{ID: lease}}
	}
	panic(fmt.Sprintf("unknown op %d", op.Kind))
}
