package node

import (
	"context"
	"errors"
	"log/slog"
)

// Run serves cfg until ctx is cancelled.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	return errors.New("serve: the forwarder is not wired yet")
}
