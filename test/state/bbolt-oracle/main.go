// bbolt-oracle: real bbolt (Debian's go.etcd.io/bbolt sources) as a test
// oracle for walt's bbolt reader. Built in GOPATH mode, no downloads:
//   GO111MODULE=off GOPATH=/usr/share/gocode go build -o OUT ./test/state/bbolt-oracle
//
//   bbolt-oracle make DB   writes a database with the shapes the reader must
//                          handle: multi-level branches, overflow pages,
//                          nested and inline buckets, an empty bucket, binary
//                          keys, and pages freed and reused by later txns.
//   bbolt-oracle dump DB   prints every bucket and key in cursor order as JSON.
//   bbolt-oracle seek DB   looks every key the cursor walk finds up again with
//                          Bucket.Get (or Bucket.Bucket), which descends
//                          through the branch keys: prints {"keys": n,
//                          "notFound": [...]}.
//   bbolt-oracle check DB  opens DB as etcd 3.4 does on Linux (read-write,
//                          NoFreelistSync: the freelist is rebuilt by walking
//                          every page, and bbolt panics on a bad one), then
//                          prints {"open": error} or {"errors": [...]} from
//                          Tx.Check. A panic exits 2 with bbolt's message.
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

type item struct {
	Path  []string `json:"path"`
	Key   string   `json:"key"`
	Value *string  `json:"value"` // null for a nested bucket
}

func dump(b *bolt.Bucket, path []string, out *[]item) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		it := item{Path: append([]string{}, path...), Key: hex.EncodeToString(k)}
		if v != nil {
			s := hex.EncodeToString(v)
			it.Value = &s
		}
		*out = append(*out, it)
		if v == nil {
			dump(b.Bucket(k), append(path, hex.EncodeToString(k)), out)
		}
	}
}

// seek looks up every key of b by descending from its root, as Get does.
func seek(b *bolt.Bucket, path string, keys *int, notFound *[]string) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		*keys++
		name := path + "/" + hex.EncodeToString(k)
		if v == nil {
			nested := b.Bucket(k)
			if nested == nil {
				*notFound = append(*notFound, name)
				continue
			}
			seek(nested, name, keys, notFound)
		} else if got := b.Get(k); got == nil || string(got) != string(v) {
			*notFound = append(*notFound, name)
		}
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func value(i, n int) []byte {
	v := make([]byte, n)
	for j := range v {
		v[j] = byte(i*31 + j*7)
	}
	return v
}

func makeDB(path string) {
	db, err := bolt.Open(path, 0600, nil)
	must(err)
	defer db.Close()
	must(db.Update(func(tx *bolt.Tx) error {
		flat, _ := tx.CreateBucket([]byte("flat"))
		for i := 0; i < 6000; i++ {
			flat.Put([]byte(fmt.Sprintf("key-%06d", i)), value(i, 40))
		}
		big, _ := tx.CreateBucket([]byte("big"))
		big.Put([]byte("a-small"), []byte("x"))
		big.Put([]byte("b-10k"), value(1, 10000))
		big.Put([]byte("c-100k"), value(2, 100000))
		big.Put([]byte("d-empty"), []byte{})
		nest, _ := tx.CreateBucket([]byte("nest"))
		inline, _ := nest.CreateBucket([]byte("inline"))
		inline.Put([]byte("k"), []byte("v"))
		deep, _ := inline.CreateBucket([]byte("deeper"))
		deep.Put([]byte{0, 1, 0xff}, []byte{0xfe, 0})
		wide, _ := nest.CreateBucket([]byte("wide"))
		for i := 0; i < 800; i++ {
			wide.Put([]byte{byte(i >> 8), byte(i), 0x80}, value(i, 100))
		}
		tx.CreateBucket([]byte("empty"))
		return nil
	}))
	// Later txns free pages and reuse them, as a long-lived backend does.
	for round := 0; round < 3; round++ {
		must(db.Update(func(tx *bolt.Tx) error {
			flat := tx.Bucket([]byte("flat"))
			for i := round; i < 6000; i += 3 {
				if i%2 == 0 {
					flat.Delete([]byte(fmt.Sprintf("key-%06d", i)))
				} else {
					flat.Put([]byte(fmt.Sprintf("key-%06d", i)), value(i+round, 60))
				}
			}
			tx.Bucket([]byte("big")).Put([]byte("c-100k"), value(round, 90000+round))
			return nil
		}))
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bbolt-oracle make|dump|seek|check DB")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "make":
		makeDB(os.Args[2])
	case "check":
		db, err := bolt.Open(os.Args[2], 0600, &bolt.Options{NoFreelistSync: true})
		if err != nil {
			must(json.NewEncoder(os.Stdout).Encode(map[string]string{"open": err.Error()}))
			return
		}
		errs := []string{}
		must(db.View(func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				errs = append(errs, e.Error())
			}
			return nil
		}))
		must(json.NewEncoder(os.Stdout).Encode(map[string][]string{"errors": errs}))
	case "seek":
		db, err := bolt.Open(os.Args[2], 0400, &bolt.Options{ReadOnly: true})
		must(err)
		keys, notFound := 0, []string{}
		must(db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				keys++
				seek(b, hex.EncodeToString(name), &keys, &notFound)
				return nil
			})
		}))
		must(json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"keys": keys, "notFound": notFound}))
	case "dump":
		db, err := bolt.Open(os.Args[2], 0400, &bolt.Options{ReadOnly: true})
		must(err)
		var out []item
		must(db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
				out = append(out, item{Path: []string{}, Key: hex.EncodeToString(name)})
				dump(b, []string{hex.EncodeToString(name)}, &out)
				return nil
			})
		}))
		must(json.NewEncoder(os.Stdout).Encode(out))
	}
}
