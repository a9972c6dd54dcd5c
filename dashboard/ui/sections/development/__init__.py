"""荐优纳新推评制 (/development): its sections."""
