"""The demo bureau (演示数据): 19 units, 154 staff and a year of entries, built through the
application's commands like any other client would."""
