package main

import (
	"fmt"
)

// Kubernetes objects as the API server stores them: "k8s\0" and a
// runtime.Unknown{1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding,
// 4 contentType}, raw being the object: 1 ObjectMeta{1 name, 3 namespace,
// 5 uid}, then its own fields (k8s.io/apimachinery/pkg/runtime/generated.proto,
// k8s.io/api/core/v1/generated.proto).

func varint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func field(b []byte, num int, data []byte) []byte {
	b = varint(b, uint64(num<<3|2))
	b = varint(b, uint64(len(data)))
	return append(b, data...)
}

func str(b []byte, num int, s string) []byte { return field(b, num, []byte(s)) }

var namespaces = []string{"default", "kube-system", "monitoring", "ingress", "prod", "staging", "team-a", "team-b"}

// k8sObject is a Pod (60%), ConfigMap (25%) or Secret (15%) of about the
// workload's value size.
func (w *Workload) k8sObject() (string, []byte) {
	n := w.rnd.Intn(w.k8sKeys)
	ns := namespaces[n%len(namespaces)]
	size := w.size()
	var kind, resource string
	switch r := n % 20; {
	case r < 12:
		kind, resource = "Pod", "pods"
	case r < 17:
		kind, resource = "ConfigMap", "configmaps"
	default:
		kind, resource = "Secret", "secrets"
	}
	name := fmt.Sprintf("%s-%x", services[n%len(services)], n)
	meta := str(str(str(nil, 1, name), 3, ns), 5, fmt.Sprintf("%08x-0000-4000-8000-%012x", n, w.rnd.Int63()&0xffffffffffff))
	obj := field(nil, 1, meta)
	fill := w.value(atLeast(size-120, 16)) // the envelope and metadata take about 120 bytes
	switch kind {
	case "Pod": // spec{2 containers[{1 name, 2 image, 7 env...}]}
		c := str(str(nil, 1, "main"), 2, "registry.example.com/"+services[n%len(services)]+":1.4.2")
		c = field(c, 7, str(str(nil, 1, "CONFIG"), 2, string(fill)))
		obj = field(obj, 2, field(nil, 2, c))
	case "ConfigMap": // data map<string,string>
		obj = field(obj, 2, str(str(nil, 1, "config.yaml"), 2, string(fill)))
	case "Secret": // data map<string,bytes>, type
		obj = field(obj, 2, field(str(nil, 1, "token"), 2, fill))
		obj = str(obj, 3, "Opaque")
	}
	u := field(nil, 1, str(str(nil, 1, "v1"), 2, kind))
	u = field(u, 2, obj)
	u = str(str(u, 3, ""), 4, "")
	return "/registry/" + resource + "/" + ns + "/" + name, append([]byte("k8s\x00"), u...)
}

func atLeast(n, min int) int {
	if n < min {
		return min
	}
	return n
}
