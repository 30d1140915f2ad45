package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes"
)

// load sends the workload to etcd with `clients` requests in flight. Lease
// slots become the IDs etcd grants; a put whose lease is not granted yet, or
// already revoked, goes without one. A revoke can land between a put's
// reading of its lease and the put (requests run concurrently): etcd then
// refuses the put (lease not found) and it is sent again without the lease.
func load(endpoint string, w *Workload, ops, clients int) (Summary, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{endpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		return Summary{}, err
	}
	defer cli.Close()
	var mu sync.Mutex
	leases := map[int]clientv3.LeaseID{}
	leaseOf := func(slot int) clientv3.LeaseID {
		mu.Lock()
		defer mu.Unlock()
		return leases[slot]
	}
	ctx := context.Background()
	do := func(op Op) error {
		var err error
		switch op.Kind {
		case OpPut:
			var opts []clientv3.OpOption
			if id := leaseOf(op.LeaseSlot); op.LeaseSlot >= 0 && id != 0 {
				opts = append(opts, clientv3.WithLease(id))
			}
			_, err = cli.Put(ctx, op.Key, string(op.Value), opts...)
			if err == rpctypes.ErrLeaseNotFound {
				_, err = cli.Put(ctx, op.Key, string(op.Value))
			}
		case OpK8sTxn: // as the API server updates an object, its mod revision as expected
			_, err = cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(op.Key), "<", anyRevision)).
				Then(clientv3.OpPut(op.Key, string(op.Value))).Else(clientv3.OpGet(op.Key)).Commit()
		case OpTxn:
			_, err = cli.Txn(ctx).If(clientv3.Compare(clientv3.Value(op.Key), "!=", "locked")).
				Then(clientv3.OpPut(op.Key, string(op.Value)), clientv3.OpPut(op.Key2, string(op.Value2))).Commit()
		case OpDelete:
			_, err = cli.Delete(ctx, op.Key)
		case OpDeletePrefix:
			_, err = cli.Delete(ctx, op.Key, clientv3.WithPrefix())
		case OpGrant:
			var r *clientv3.LeaseGrantResponse
			if r, err = cli.Grant(ctx, LeaseTTL); err == nil {
				mu.Lock()
				leases[op.LeaseSlot] = r.ID
				mu.Unlock()
			}
		case OpRevoke:
			mu.Lock()
			id := leases[op.LeaseSlot]
			delete(leases, op.LeaseSlot)
			mu.Unlock()
			if id != 0 {
				_, err = cli.Revoke(ctx, id)
			}
		}
		return err
	}
	p := newProgress("requests to etcd", ops)
	// Leases first, so that puts can use them.
	for i := 0; i < InitialLeases; i++ {
		if err := do(w.Next(i)); err != nil {
			return Summary{}, err
		}
	}
	work := make(chan Op, clients*4)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for op := range work {
				if err := do(op); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := InitialLeases; i < ops-1; i++ {
		select {
		case err := <-errs:
			return Summary{}, err
		case work <- w.Next(i):
		}
		p.at(i + 1)
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return Summary{}, err
	default:
	}
	value := fmt.Sprintf("done after %d requests", ops)
	r, err := cli.Put(ctx, SentinelKey, value)
	if err != nil {
		return Summary{}, err
	}
	p.at(ops)
	return Summary{SentinelValue: value, LastRevision: r.Header.Revision}, nil
}
