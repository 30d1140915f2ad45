// Command anchor is what walt's bench measures walt against: etcd 3.4's own
// wal package (Debian's golang-etcd-server-dev), doing what `walt verify`
// and `walt dump --format ndjson` do.
//
//	anchor verify DATA_DIR    wal.Verify from the start of the log; exit 1 on an error
//	anchor readall DATA_DIR   wal.ReadAll, then one JSON line per entry with its
//	                          request decoded (etcdserverpb.InternalRaftRequest, as
//	                          etcd's server decodes it) by encoding/json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
	"go.etcd.io/etcd/pkg/pbutil"
	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

type line struct {
	Index   uint64                  `json:"index"`
	Term    uint64                  `json:"term"`
	Type    string                  `json:"type"`
	Data    []byte                  `json:"data"`
	Request *pb.InternalRaftRequest `json:"request,omitempty"`
	V2      *pb.Request             `json:"v2,omitempty"`
	Change  *raftpb.ConfChange      `json:"confChange,omitempty"`
}

func readAll(walDir string) error {
	w, err := wal.OpenForRead(zap.NewNop(), walDir, walpb.Snapshot{})
	if err != nil {
		return err
	}
	defer w.Close()
	_, _, ents, err := w.ReadAll()
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	enc := json.NewEncoder(out)
	for _, e := range ents {
		l := line{Index: e.Index, Term: e.Term, Type: e.Type.String(), Data: e.Data}
		switch {
		case e.Type == raftpb.EntryConfChange:
			l.Change = &raftpb.ConfChange{}
			pbutil.MustUnmarshal(l.Change, e.Data)
		case len(e.Data) > 0: // as etcdserver/server.go's applyEntryNormal
			var r pb.InternalRaftRequest
			if pbutil.MaybeUnmarshal(&r, e.Data) {
				l.Request = &r
			} else {
				l.V2 = &pb.Request{}
				pbutil.MustUnmarshal(l.V2, e.Data)
			}
		}
		if err := enc.Encode(&l); err != nil {
			return err
		}
	}
	return out.Flush()
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: anchor verify|readall DATA_DIR")
		os.Exit(2)
	}
	walDir := filepath.Join(os.Args[2], "member", "wal")
	var err error
	switch os.Args[1] {
	case "verify":
		err = wal.Verify(zap.NewNop(), walDir, walpb.Snapshot{})
	case "readall":
		err = readAll(walDir)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "anchor:", err)
		os.Exit(1)
	}
}
