// The native ceiling for the pipe benchmarks: bulk transfer and ping-pong over the same kind of
// pipe the JS scenarios use (a Windows named pipe / a Linux AF_UNIX socket), with a server
// thread and a client thread doing plain blocking I/O. No JS, no event loop: the most this
// machine allows. Prints one JSON line.
//
//   pipe_ceiling bulk <path> <bytes> <chunk>     -> {"mbps": ...}
//   pipe_ceiling pingpong <path> <count> <size>  -> {"p50us": ..., "p99us": ...}
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "pipe_ceiling: %s failed\n", what);
  std::exit(1);
}

#ifdef _WIN32
using Pipe = HANDLE;

std::wstring Wide(const std::string& text) { return std::wstring(text.begin(), text.end()); }

Pipe Listen(const std::string& path) {
  HANDLE pipe = ::CreateNamedPipeW(Wide(path).c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 65536,
                                   65536, 0, nullptr);
  if (pipe == INVALID_HANDLE_VALUE) Fail("CreateNamedPipe");
  return pipe;
}
Pipe Accept(Pipe server) {
  if (!::ConnectNamedPipe(server, nullptr) && ::GetLastError() != ERROR_PIPE_CONNECTED) Fail("ConnectNamedPipe");
  return server;
}
Pipe Connect(const std::string& path) {
  for (;;) {
    HANDLE pipe = ::CreateFileW(Wide(path).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0,
                                nullptr);
    if (pipe != INVALID_HANDLE_VALUE) return pipe;
    ::Sleep(1);
  }
}
size_t Read(Pipe pipe, char* data, size_t size) {
  DWORD n = 0;
  if (!::ReadFile(pipe, data, static_cast<DWORD>(size), &n, nullptr)) return 0;
  return n;
}
void Write(Pipe pipe, const char* data, size_t size) {
  while (size > 0) {
    DWORD n = 0;
    if (!::WriteFile(pipe, data, static_cast<DWORD>(size), &n, nullptr)) Fail("WriteFile");
    data += n;
    size -= n;
  }
}
void Close(Pipe pipe) { ::CloseHandle(pipe); }
void CloseListener(Pipe, const std::string&) {}
#else
using Pipe = int;

sockaddr_un Address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return address;
}
Pipe Listen(const std::string& path) {
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address = Address(path);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 || ::listen(fd, 16) != 0) {
    Fail("listen");
  }
  return fd;
}
Pipe Accept(Pipe server) {
  int fd = ::accept(server, nullptr, nullptr);
  if (fd < 0) Fail("accept");
  return fd;
}
Pipe Connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address = Address(path);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Fail("connect");
  return fd;
}
size_t Read(Pipe pipe, char* data, size_t size) {
  ssize_t n = ::read(pipe, data, size);
  return n > 0 ? static_cast<size_t>(n) : 0;
}
void Write(Pipe pipe, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(pipe, data, size);
    if (n <= 0) Fail("write");
    data += n;
    size -= static_cast<size_t>(n);
  }
}
void Close(Pipe pipe) { ::close(pipe); }
void CloseListener(Pipe pipe, const std::string& path) {
  ::close(pipe);
  ::unlink(path.c_str());
}
#endif

void ReadExactly(Pipe pipe, char* data, size_t size) {
  while (size > 0) {
    size_t n = Read(pipe, data, size);
    if (n == 0) Fail("read");
    data += n;
    size -= n;
  }
}

int Bulk(const std::string& path, size_t total, size_t chunk) {
  Pipe listener = Listen(path);
  std::thread sink([&] {
    Pipe pipe = Accept(listener);
    std::vector<char> buffer(chunk);
    size_t received = 0;
    while (received < total) {
      size_t n = Read(pipe, buffer.data(), buffer.size());
      if (n == 0) Fail("read");
      received += n;
    }
    Write(pipe, "k", 1);
    Close(pipe);
  });
  Pipe client = Connect(path);
  std::vector<char> data(chunk, 'x');
  char ack = 0;
  const auto started = Clock::now();
  for (size_t sent = 0; sent < total; sent += chunk) Write(client, data.data(), std::min(chunk, total - sent));
  ReadExactly(client, &ack, 1);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  sink.join();
  Close(client);
  CloseListener(listener, path);
  std::printf("{\"mbps\": %.1f}\n", static_cast<double>(total) / 1e6 / seconds);
  return 0;
}

int PingPong(const std::string& path, size_t count, size_t size) {
  Pipe listener = Listen(path);
  std::thread echo([&] {
    Pipe pipe = Accept(listener);
    std::vector<char> buffer(size);
    for (size_t i = 0; i < count; i++) {
      ReadExactly(pipe, buffer.data(), size);
      Write(pipe, buffer.data(), size);
    }
    Close(pipe);
  });
  Pipe client = Connect(path);
  std::vector<char> message(size, 'p');
  std::vector<double> micros;
  micros.reserve(count);
  for (size_t i = 0; i < count; i++) {
    const auto started = Clock::now();
    Write(client, message.data(), size);
    ReadExactly(client, message.data(), size);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - started).count());
  }
  echo.join();
  Close(client);
  CloseListener(listener, path);
  std::sort(micros.begin(), micros.end());
  std::printf("{\"p50us\": %.2f, \"p99us\": %.2f}\n", micros[micros.size() / 2], micros[micros.size() * 99 / 100]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: pipe_ceiling bulk|pingpong <path> <bytes|count> <chunk|size>\n");
    return 2;
  }
  const std::string mode = argv[1];
  const std::string path = argv[2];
  const size_t a = std::strtoull(argv[3], nullptr, 10);
  const size_t b = std::strtoull(argv[4], nullptr, 10);
  if (mode == "bulk") return Bulk(path, a, b);
  if (mode == "pingpong") return PingPong(path, a, b);
  std::fprintf(stderr, "pipe_ceiling: unknown mode %s\n", mode.c_str());
  return 2;
}
