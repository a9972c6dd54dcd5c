"""The leading group's page (领导小组): its sections."""
