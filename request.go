package sockjs

import (
	"context"
	"net/http"
	"sort"
)

// Bounds of what a session keeps of its opening request (Session.Request).
// A session lives for as long as its client stays, while the request's
// headers can be as large as the server's MaxHeaderBytes (1 MiB by
// default): keeping them all would let each session hold a megabyte.
const (
	// KeptHeaderBytes bounds the headers Session.Request keeps: names and
	// values, counted as on the wire. Headers are kept smallest first until
	// the next one would not fit; a header that does not fit is dropped
	// whole (all its values), so that what the application reads is never
	// cut in the middle. Ordinary browser requests (cookies included) are
	// well under it.
	KeptHeaderBytes = 16 << 10
	// KeptQueryBytes bounds the query string Session.Request keeps; a
	// longer one is dropped whole.
	KeptQueryBytes = 4 << 10
)

// keptRequest returns the copy of an opening request that its session
// keeps and the application may hold after the request's handler returned:
// bounded headers and query, no body, trailers or parsed forms, a
// background context. It is a shallow copy: net/http makes a new URL and
// header map for every request and never reuses them, so sharing them is
// safe, and a deep copy (Request.Clone) would cost every session a few
// hundred bytes and a dozen allocations more.
func keptRequest(r *http.Request) *http.Request {
	c := r.WithContext(context.Background())
	c.Body, c.GetBody = http.NoBody, nil
	c.Header = boundedHeader(r.Header, KeptHeaderBytes)
	c.Trailer = nil
	c.Form, c.PostForm, c.MultipartForm = nil, nil, nil
	if r.URL != nil && len(r.URL.RawQuery) > KeptQueryBytes {
		u := *r.URL
		u.RawQuery, u.ForceQuery = "", false
		c.URL = &u
		c.RequestURI = u.RequestURI()
	}
	return c
}

// boundedHeader returns the headers of h that fit in max bytes, smallest
// first.
func boundedHeader(h http.Header, max int) http.Header {
	type sized struct {
		name string
		size int
	}
	all := make([]sized, 0, len(h))
	total := 0
	for name, values := range h {
		n := 0
		for _, v := range values {
			n += len(name) + len(v) + 4 // "Name: value\r\n"
		}
		all = append(all, sized{name, n})
		total += n
	}
	if total <= max {
		return h
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].size != all[j].size {
			return all[i].size < all[j].size
		}
		return all[i].name < all[j].name
	})
	kept := make(http.Header)
	used := 0
	for _, s := range all {
		if used+s.size > max {
			break
		}
		used += s.size
		kept[s.name] = h[s.name]
	}
	return kept
}
