// Command oracle is walt's differential-test oracle: a thin wrapper around
// etcd 3.4's own wal and snap packages (Debian's golang-etcd-server-dev),
// printing what etcd's code makes of a data dir as JSON.
//
// It is our code; it only calls etcd's exported API. Build it with
// test/oracle/build.sh (GOPATH mode against /usr/share/gocode).
//
// Usage:
//
//	oracle readall DATA_DIR [--start-index N --start-term T] [--snap-mode etcd|load|none] [--omit-data] [--open-mode read|start]
//	oracle verify WAL_DIR [--index N --term T]
//	oracle repair WAL_DIR
//	oracle snapload SNAP_DIR
//
// All uint64 numbers are printed as JSON strings to avoid precision loss.
// Member and cluster IDs are printed as etcd prints them (types.ID: lowercase
// hex, no padding). Entry data is base64 (standard alphabet, padded).
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"go.etcd.io/etcd/etcdserver/api/snap"
	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
	"go.etcd.io/etcd/pkg/types"
	"go.etcd.io/etcd/raft/raftpb"
	"go.etcd.io/etcd/wal"
	"go.etcd.io/etcd/wal/walpb"
	"go.uber.org/zap"
)

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func emit(v interface{}) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(os.Stderr, "oracle: encoding output:", err)
		os.Exit(2)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, `usage:
  oracle readall DATA_DIR [--start-index N --start-term T] [--snap-mode etcd|load|none] [--omit-data] [--open-mode read|start]
  oracle verify WAL_DIR [--index N --term T]
  oracle repair WAL_DIR
  oracle snapload SNAP_DIR`)
	os.Exit(2)
}

// parseArgs splits positional arguments from flags, so that flags may come
// after the directory (Go's flag package stops at the first non-flag).
func parseArgs(fs *flag.FlagSet, args []string) []string {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			os.Exit(2)
		}
		args = fs.Args()
		if len(args) > 0 {
			pos = append(pos, args[0])
			args = args[1:]
		}
	}
	return pos
}

// catch turns a panic inside etcd's code (e.g. mustUnmarshalEntry on a
// corrupt entry) into an error string, so that tests can see it.
func catch(errp *string) {
	if r := recover(); r != nil {
		*errp = fmt.Sprintf("panic: %v", r)
	}
}

type metadataJSON struct {
	NodeID    string `json:"nodeID"`
	ClusterID string `json:"clusterID"`
}

type hardStateJSON struct {
	Term   string `json:"term"`
	Vote   string `json:"vote"`
	Commit string `json:"commit"`
}

type snapRefJSON struct {
	Index string `json:"index"`
	Term  string `json:"term"`
}

type entryJSON struct {
	Index string `json:"index"`
	Term  string `json:"term"`
	Type  string `json:"type"`
	// Data is the entry's data, base64 ("" when empty); absent with
	// --omit-data, which leaves only DataLen.
	Data    *string `json:"data,omitempty"`
	DataLen int     `json:"dataLen"`
	// Kind and Text are what etcd 3.4's own types make of the data, decoded
	// the way etcdserver's apply loop does (see classify).
	Kind string `json:"kind"`
	Text string `json:"text,omitempty"`
}

// classify decodes an entry's data with etcd's generated protobuf types,
// the way etcdserver.applyEntryNormal / applyConfChange do in 3.4:
//
//   - EntryNormal with no data: "empty" (a new leader's no-op).
//   - EntryNormal that unmarshals as InternalRaftRequest
//     (pbutil.MaybeUnmarshal): the proto name of the request field that is
//     set ("put", "txn", "lease_checkpoint", "authenticate", "v2", ...), or
//     "internal:none" if none is.
//   - otherwise, as a v2 etcdserverpb.Request: "v2request:<Method>".
//   - EntryConfChange: "confchange:<ConfChangeType>"; EntryConfChangeV2:
//     "confchangev2".
//   - anything that fails to decode: "undecodable" (Text holds the error).
//
// Text is the gogo-protobuf compact text (the message's String()).
func classify(e raftpb.Entry) (kind, text string) {
	switch e.Type {
	case raftpb.EntryNormal:
		if len(e.Data) == 0 {
			return "empty", ""
		}
		var rr pb.InternalRaftRequest
		if err := rr.Unmarshal(e.Data); err == nil {
			v := reflect.ValueOf(rr)
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if f.Name == "Header" || f.Type.Kind() != reflect.Ptr || v.Field(i).IsNil() {
					continue
				}
				return protoName(f), rr.String()
			}
			return "internal:none", rr.String()
		}
		var r pb.Request
		if err := r.Unmarshal(e.Data); err != nil {
			return "undecodable", err.Error()
		}
		return "v2request:" + r.Method, r.String()
	case raftpb.EntryConfChange:
		var cc raftpb.ConfChange
		if err := cc.Unmarshal(e.Data); err != nil {
			return "undecodable", err.Error()
		}
		return "confchange:" + cc.Type.String(), cc.String()
	case raftpb.EntryConfChangeV2:
		var cc raftpb.ConfChangeV2
		if err := cc.Unmarshal(e.Data); err != nil {
			return "undecodable", err.Error()
		}
		return "confchangev2", cc.String()
	}
	return "undecodable", "unknown entry type"
}

func protoName(f reflect.StructField) string {
	for _, part := range strings.Split(f.Tag.Get("protobuf"), ",") {
		if strings.HasPrefix(part, "name=") {
			return strings.TrimPrefix(part, "name=")
		}
	}
	return f.Name
}

type readAllJSON struct {
	// StartFrom says where the start snapshot came from: "flag" (given on
	// the command line), "snap" (a .snap file, chosen as etcd does or by
	// Snapshotter.Load), or "none" (no usable snapshot: index 0, term 0).
	StartFrom string        `json:"startFrom"`
	SnapFile  string        `json:"snapFile,omitempty"`
	Metadata  *metadataJSON `json:"metadata"`
	// RawMetadata is the metadata record's data, base64.
	RawMetadata []byte        `json:"rawMetadata"`
	HardState   hardStateJSON `json:"hardState"`
	Snapshot    snapRefJSON   `json:"snapshot"`
	Entries     []entryJSON   `json:"entries"`
	Error       string        `json:"error"`
	// Repaired: with --open-mode start, wal.Repair cut a torn tail before
	// the read that Entries and Error come from.
	Repaired bool `json:"repaired,omitempty"`
}

func snapFileName(s *raftpb.Snapshot) string {
	return fmt.Sprintf("%016x-%016x.snap", s.Metadata.Term, s.Metadata.Index)
}

func cmdReadAll(args []string) {
	fs := flag.NewFlagSet("readall", flag.ExitOnError)
	startIndex := fs.String("start-index", "", "index of the snapshot to start from")
	startTerm := fs.String("start-term", "", "term of the snapshot to start from")
	omitData := fs.Bool("omit-data", false, "print no entry data or text (for big WALs)")
	openMode := fs.String("open-mode", "read", "read: wal.OpenForRead + ReadAll (read mode takes a torn last record as the end); start: wal.Open + ReadAll with one wal.Repair on io.ErrUnexpectedEOF, as etcd 3.4's server starts (etcdserver/storage.go readWAL); start writes to the dir: give it a copy")
	snapMode := fs.String("snap-mode", "etcd", "without --start-index: etcd (wal.ValidSnapshotEntries + Snapshotter.LoadNewestAvailable, as etcd 3.4.23's server does), load (Snapshotter.Load: newest valid .snap), none (index 0)")
	pos := parseArgs(fs, args)
	if len(pos) != 1 {
		usage()
	}
	dataDir := pos[0]
	walDir := filepath.Join(dataDir, "member", "wal")
	snapDir := filepath.Join(dataDir, "member", "snap")
	out := readAllJSON{Entries: []entryJSON{}}
	lg := zap.NewNop()

	defer func() { emit(out) }()
	defer catch(&out.Error)

	var start walpb.Snapshot
	if *startIndex != "" || *startTerm != "" {
		var err error
		if start.Index, err = strconv.ParseUint(*startIndex, 10, 64); err != nil && *startIndex != "" {
			out.Error = "bad --start-index: " + err.Error()
			return
		}
		if start.Term, err = strconv.ParseUint(*startTerm, 10, 64); err != nil && *startTerm != "" {
			out.Error = "bad --start-term: " + err.Error()
			return
		}
		out.StartFrom = "flag"
	} else {
		var s *raftpb.Snapshot
		var err error
		switch *snapMode {
		case "etcd":
			var walSnaps []walpb.Snapshot
			if walSnaps, err = wal.ValidSnapshotEntries(lg, walDir); err != nil {
				out.Error = "wal.ValidSnapshotEntries: " + err.Error()
				return
			}
			s, err = snap.New(lg, snapDir).LoadNewestAvailable(walSnaps)
		case "load":
			s, err = snap.New(lg, snapDir).Load()
		case "none":
			err = snap.ErrNoSnapshot
		default:
			usage()
		}
		switch {
		case err == nil:
			start.Index, start.Term = s.Metadata.Index, s.Metadata.Term
			out.StartFrom = "snap"
			out.SnapFile = snapFileName(s)
		case errors.Is(err, snap.ErrNoSnapshot):
			out.StartFrom = "none"
		default:
			out.Error = "snap load: " + err.Error()
			return
		}
	}
	out.Snapshot = snapRefJSON{Index: u64(start.Index), Term: u64(start.Term)}

	var (
		w    *wal.WAL
		md   []byte
		st   raftpb.HardState
		ents []raftpb.Entry
	)
	for {
		var err error
		if *openMode == "start" {
			w, err = wal.Open(lg, walDir, start)
		} else {
			w, err = wal.OpenForRead(lg, walDir, start)
		}
		if err != nil {
			out.Error = err.Error()
			return
		}
		md, st, ents, err = w.ReadAll()
		// readWAL: only io.ErrUnexpectedEOF is repaired, and never twice.
		if err == io.ErrUnexpectedEOF && *openMode == "start" && !out.Repaired {
			w.Close()
			if !wal.Repair(lg, walDir) {
				out.Error = "wal.Repair failed: " + err.Error()
				return
			}
			out.Repaired = true
			continue
		}
		out.Error = errString(err)
		break
	}
	defer w.Close()
	out.HardState = hardStateJSON{Term: u64(st.Term), Vote: u64(st.Vote), Commit: u64(st.Commit)}
	if md != nil {
		out.RawMetadata = md
		var m pb.Metadata
		if uerr := m.Unmarshal(md); uerr != nil {
			if out.Error == "" {
				out.Error = "metadata unmarshal: " + uerr.Error()
			}
		} else {
			out.Metadata = &metadataJSON{NodeID: types.ID(m.NodeID).String(), ClusterID: types.ID(m.ClusterID).String()}
		}
	}
	for _, e := range ents {
		kind, text := classify(e)
		ej := entryJSON{Index: u64(e.Index), Term: u64(e.Term), Type: e.Type.String(), DataLen: len(e.Data), Kind: kind, Text: text}
		if *omitData {
			ej.Text = ""
		} else {
			b64 := base64.StdEncoding.EncodeToString(e.Data)
			ej.Data = &b64
		}
		out.Entries = append(out.Entries, ej)
	}
}

func cmdVerify(args []string) {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	index := fs.Uint64("index", 0, "snapshot index")
	term := fs.Uint64("term", 0, "snapshot term")
	pos := parseArgs(fs, args)
	if len(pos) != 1 {
		usage()
	}
	out := struct {
		Error string `json:"error"`
	}{}
	defer func() { emit(out) }()
	defer catch(&out.Error)
	out.Error = errString(wal.Verify(zap.NewNop(), pos[0], walpb.Snapshot{Index: *index, Term: *term}))
}

func cmdRepair(args []string) {
	fs := flag.NewFlagSet("repair", flag.ExitOnError)
	pos := parseArgs(fs, args)
	if len(pos) != 1 {
		usage()
	}
	// Repair returns true both when the last segment ended cleanly (nothing
	// to do) and when it truncated a torn tail (after copying the file to
	// <name>.broken); Created lists the files that appeared, so that the two
	// cases can be told apart.
	out := struct {
		Repaired bool     `json:"repaired"`
		Created  []string `json:"created"`
		Error    string   `json:"error,omitempty"`
	}{Created: []string{}}
	defer func() { emit(out) }()
	defer catch(&out.Error)
	before := map[string]bool{}
	if names, err := filepath.Glob(filepath.Join(pos[0], "*")); err == nil {
		for _, n := range names {
			before[n] = true
		}
	}
	out.Repaired = wal.Repair(zap.NewNop(), pos[0])
	if names, err := filepath.Glob(filepath.Join(pos[0], "*")); err == nil {
		for _, n := range names {
			if !before[n] {
				out.Created = append(out.Created, filepath.Base(n))
			}
		}
	}
}

func cmdSnapLoad(args []string) {
	fs := flag.NewFlagSet("snapload", flag.ExitOnError)
	pos := parseArgs(fs, args)
	if len(pos) != 1 {
		usage()
	}
	out := struct {
		File     string   `json:"file,omitempty"`
		Index    string   `json:"index"`
		Term     string   `json:"term"`
		Voters   []string `json:"voters"`
		Learners []string `json:"learners"`
		DataLen  int      `json:"dataLen"`
		Error    string   `json:"error"`
	}{Index: "0", Term: "0", Voters: []string{}, Learners: []string{}}
	defer func() { emit(out) }()
	defer catch(&out.Error)
	s, err := snap.New(zap.NewNop(), pos[0]).Load()
	if err != nil {
		out.Error = err.Error()
		return
	}
	out.File = snapFileName(s)
	out.Index, out.Term = u64(s.Metadata.Index), u64(s.Metadata.Term)
	for _, id := range s.Metadata.ConfState.Voters {
		out.Voters = append(out.Voters, types.ID(id).String())
	}
	for _, id := range s.Metadata.ConfState.Learners {
		out.Learners = append(out.Learners, types.ID(id).String())
	}
	out.DataLen = len(s.Data)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "readall":
		cmdReadAll(os.Args[2:])
	case "verify":
		cmdVerify(os.Args[2:])
	case "repair":
		cmdRepair(os.Args[2:])
	case "snapload":
		cmdSnapLoad(os.Args[2:])
	default:
		usage()
	}
}
