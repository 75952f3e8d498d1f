#!/bin/sh
# Builds the image library from source in /tmp, the way its README says.
set -e
cd /tmp
wget -q https://download.example.org/libimg/libimg-2.4.1.tar.xz
tar xJf libimg-2.4.1.tar.xz
cd libimg-2.4.1
./configure --prefix=/usr/local
make -j2
make install
cd /tmp && rm -rf libimg-2.4.1 libimg-2.4.1.tar.xz
ldconfig
