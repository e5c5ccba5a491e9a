"""TrigLab's standalone scripts for the lab server (stdlib + numpy; they import nothing from TrigLab)."""
