// Package tui is `gwlbctl top`: a bubbletea dashboard of one gateway load
// balancer node, a client of the node's local API (control/api) and of
// nothing else.
//
// The screen, top to bottom: a header (node, load balancer, zone, uptime,
// revision, totals, packet and bit rate sparklines), the flows table, the
// targets beside the endpoints, the events beside the drops, a status line
// (or the filter being typed) and the help bar. Each is one component (a
// model with SetSize and its lines); every key binding is in KeyMap.
//
// Data comes on a tick: each interval the model asks the node for /info,
// /stats and the top N flows (N the rows the table shows, ranked by the
// node when the order is bytes, packets, rate or age), and follows /events
// with a long poll. At most one request of each kind is in flight; answers
// arrive as messages, so a slow node never holds the keys. Rates (header,
// targets, endpoints, drops) are derived here from successive /stats on
// the node's clock; a flow's RATE is its mean over its life, and its
// detail adds the rate between the last two readings.
//
// Snapshot and WriteSnapshot are `gwlbctl top --once`: the same data read
// once, for scripts.
package tui
