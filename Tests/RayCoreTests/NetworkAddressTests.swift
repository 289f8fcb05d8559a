import RayCore
import Testing

@Suite struct NetworkAddressTests {
    @Test func parsesAndPrintsIPv4AndPort() throws {
        let address = try NetworkAddress(parsing: "10.0.0.1:6379")
        #expect(address.ipv4 == 0x0A00_0001)
        #expect(address.port == 6379)
        #expect(address.host == "10.0.0.1")
        #expect("\(address)" == "10.0.0.1:6379")
        #expect(try NetworkAddress(parsing: "255.255.255.255:65535").description == "255.255.255.255:65535")
        #expect(try NetworkAddress(parsing: "0.0.0.0:0") == NetworkAddress(ipv4: 0, port: 0))
        #expect(try NetworkAddress(host: "127.0.0.1", port: 80) == NetworkAddress(parsing: "127.0.0.1:80"))
        #expect(try NetworkAddress(parsing: "127.0.0.1:0").with(port: 5).port == 5)
    }

    @Test(arguments: ["", "10.0.0.1", "10.0.0.1:", ":80", "10.0.0:80", "10.0.0.1.2:80", "256.0.0.1:80", "10.0.0.1:65536",
                      "10.0.0.01:80", "10.0.0.1:080", "10.0.0.-1:80", "10.0.0.1:+80", "host:80", "10.0.0.1:80:1", " 10.0.0.1:80",
                      "[::1]:80", "10.0.0.1:99999999999"])
    func refusesWhatIsNotAnAddressSayingWhatItExpects(text: String) {
        let error = #expect(throws: NetworkAddressError.self) { try NetworkAddress(parsing: text) }
        #expect(error?.description.contains("\"\(text)\"") == true)
        #expect(error?.description.contains("10.0.0.1:6379") == true)
    }

    @Test func isAKeyOfDictionaries() throws {
        let a = try NetworkAddress(parsing: "10.0.0.1:1"), b = try NetworkAddress(parsing: "10.0.0.1:2")
        #expect(Set([a, b, a]).count == 2)
    }
}
