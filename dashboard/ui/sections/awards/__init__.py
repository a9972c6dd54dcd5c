"""双爱双评 / the award rounds' page (/awards): its sections."""
