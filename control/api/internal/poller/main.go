// Command poller is a node API client for `make bench`: every -every it
// asks the node for what `gwlbctl top` asks at each refresh (the stats and
// the top -top flows by bytes, ranked by the node over every flow) and,
// with -page, one page of flows as well, until SIGINT or SIGTERM; then it
// prints how many polls it made and what they took. SIGUSR1 pauses it
// after the poll under way, SIGUSR2 resumes it: `make bench` compares the
// forwarder's rate with and without it in one run of the node.
//
//	poller -socket F [-every 100ms] [-top 25] [-page 1000]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

func main() {
	socket := flag.String("socket", "", "the node API's unix socket")
	every := flag.Duration("every", 100*time.Millisecond, "time between the starts of two polls")
	top := flag.Int("top", 25, "flows ranked by bytes per poll (0: none)")
	page := flag.Int("page", 0, "flows of one listing page per poll (0: none)")
	flag.Parse()
	if *socket == "" {
		fmt.Fprintln(os.Stderr, "poller: -socket is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := api.NewClient(*socket)
	defer c.Close()
	var polls, failed int
	var busy, longest time.Duration
	tick := time.NewTicker(*every)
	defer tick.Stop()
	pause := make(chan os.Signal, 4)
	signal.Notify(pause, syscall.SIGUSR1, syscall.SIGUSR2)
	paused := false
	for {
		select {
		case s := <-pause:
			paused = s == syscall.SIGUSR1
			continue
		case <-ctx.Done():
			mean := time.Duration(0)
			if polls > 0 {
				mean = busy / time.Duration(polls)
			}
			fmt.Printf("polls=%d failed=%d mean_ms=%.2f max_ms=%.2f\n", polls, failed, float64(mean)/1e6, float64(longest)/1e6)
			return
		case <-tick.C:
		}
		if paused {
			continue
		}
		began := time.Now()
		err := poll(ctx, c, *top, *page)
		if ctx.Err() != nil {
			continue
		}
		d := time.Since(began)
		polls++
		busy += d
		longest = max(longest, d)
		if err != nil {
			failed++
			if failed == 1 {
				fmt.Fprintln(os.Stderr, "poller:", err)
			}
		}
	}
}

func poll(ctx context.Context, c *api.Client, top, page int) error {
	if _, err := c.Stats(ctx); err != nil {
		return err
	}
	if top > 0 {
		if _, err := c.Flows(ctx, api.FlowsRequest{Sort: api.SortBytes, Limit: top}); err != nil {
			return err
		}
	}
	if page > 0 {
		if _, err := c.Flows(ctx, api.FlowsRequest{Limit: page}); err != nil {
			return err
		}
	}
	return nil
}
