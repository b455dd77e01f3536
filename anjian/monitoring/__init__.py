"""Monitoring and early warning (监测预警): gateways and points, readings over MQTT and
HTTP, the alarm engine, alarm handling, boards."""
