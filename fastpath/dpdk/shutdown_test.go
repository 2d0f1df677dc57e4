package dpdk

func childMain(mode string) int { return 2 }
