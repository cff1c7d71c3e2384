//! Which OS and CPU an executable was built for, read from its header (ELF or Mach-O),
//! so a wrongly targeted binary is caught before it ships ("exec format error" later).

use std::io::Read;

use anyhow::{bail, Context};
use camino::Utf8Path;

use crate::platform::{Arch, Os};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub os: Os,
    /// `None` for a CPU this project does not build for; `machine` names it.
    pub arch: Option<Arch>,
    pub machine: String,
}

const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const CPU_TYPE_X86_64: u32 = 0x0100_0007;
const CPU_TYPE_ARM64: u32 = 0x0100_000c;

pub fn read_header(path: &Utf8Path) -> anyhow::Result<Header> {
    let mut bytes = Vec::with_capacity(64);
    std::fs::File::open(path)
        .and_then(|f| f.take(64).read_to_end(&mut bytes))
        .with_context(|| format!("cannot read {path}"))?;
    parse_header(&bytes).with_context(|| format!("{path} is not an executable this project knows"))
}

pub fn parse_header(bytes: &[u8]) -> anyhow::Result<Header> {
    if bytes.len() >= 20 && bytes.starts_with(b"\x7fELF") {
        // e_machine sits at offset 18, in the byte order named by EI_DATA (1 = little endian).
        let raw = [bytes[18], bytes[19]];
        let machine = if bytes[5] == 1 { u16::from_le_bytes(raw) } else { u16::from_be_bytes(raw) };
        let arch = match machine {
            EM_X86_64 => Some(Arch::Amd64),
            EM_AARCH64 => Some(Arch::Arm64),
            _ => None,
        };
        return Ok(Header { os: Os::Linux, arch, machine: format!("ELF machine {machine}") });
    }
    if bytes.len() >= 8 && bytes[..4] == [0xcf, 0xfa, 0xed, 0xfe] {
        let cpu = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        let arch = match cpu {
            CPU_TYPE_X86_64 => Some(Arch::Amd64),
            CPU_TYPE_ARM64 => Some(Arch::Arm64),
            _ => None,
        };
        return Ok(Header { os: Os::Darwin, arch, machine: format!("Mach-O cpu type {cpu:#x}") });
    }
    bail!("no ELF or 64-bit Mach-O header")
}

/// Fails, naming both sides, unless the file at `path` is an executable for `os`/`arch`.
pub fn check(path: &Utf8Path, os: Os, arch: Arch) -> anyhow::Result<()> {
    let header = read_header(path)?;
    if header.os != os || header.arch != Some(arch) {
        let found = match header.arch {
            Some(a) => format!("{}/{}", header.os.as_str(), a.as_str()),
            None => format!("{} ({})", header.os.as_str(), header.machine),
        };
        bail!(
            "{path} was built for {found}, not {}/{}: the build used the wrong target or linker",
            os.as_str(),
            arch.as_str()
        );
    }
    Ok(())
}

/// The program interpreter (dynamic loader) an ELF executable asks for, from its PT_INTERP
/// program header; `None` for a static executable, which is what a `FROM scratch` image needs.
pub fn elf_interpreter(bytes: &[u8]) -> anyhow::Result<Option<String>> {
    const PT_INTERP: u32 = 3;
    if bytes.len() < 64 || !bytes.starts_with(b"\x7fELF") || bytes[4] != 2 {
        bail!("not a 64-bit ELF file");
    }
    let little = bytes[5] == 1;
    let int = |at: usize, len: usize| -> anyhow::Result<u64> {
        let field = bytes.get(at..at + len).context("ELF header points past the end of the file")?;
        let mut buf = [0u8; 8];
        if little {
            buf[..len].copy_from_slice(field);
            Ok(u64::from_le_bytes(buf))
        } else {
            buf[8 - len..].copy_from_slice(field);
            Ok(u64::from_be_bytes(buf))
        }
    };
    let (phoff, phentsize, phnum) = (int(0x20, 8)? as usize, int(0x36, 2)? as usize, int(0x38, 2)? as usize);
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        if int(ph, 4)? as u32 == PT_INTERP {
            let (offset, size) = (int(ph + 8, 8)? as usize, int(ph + 32, 8)? as usize);
            let raw = bytes.get(offset..offset + size).context("PT_INTERP points past the end of the file")?;
            return Ok(Some(String::from_utf8_lossy(raw).trim_end_matches('\0').to_string()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_real_static_executables_of_both_arches() {
        let cases: [(&[u8], Arch); 2] = [
            (include_bytes!("testdata/exit0-x86_64"), Arch::Amd64),
            (include_bytes!("testdata/exit0-aarch64"), Arch::Arm64),
        ];
        for (bytes, arch) in cases {
            let header = parse_header(bytes).unwrap();
            assert_eq!((header.os, header.arch), (Os::Linux, Some(arch)));
            assert_eq!(elf_interpreter(bytes).unwrap(), None, "{arch:?}: static, no loader");
        }
    }

    #[test]
    fn finds_the_dynamic_loader_of_a_real_dynamic_executable() {
        // The test binary itself is dynamically linked (the default for gnu targets).
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let interp = elf_interpreter(&me).unwrap().expect("a dynamic executable names its loader");
        assert!(interp.starts_with('/') && interp.contains("ld-"), "{interp}");
    }

    #[test]
    fn a_header_without_pt_interp_is_static_and_garbage_is_an_error() {
        // A minimal ELF64 header with one PT_LOAD program header right after it.
        let mut elf = vec![0u8; 64 + 56];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[4] = 2;
        elf[5] = 1;
        elf[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        elf[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        elf[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
        elf[64..68].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(elf_interpreter(&elf).unwrap(), None);
        elf[64..68].copy_from_slice(&3u32.to_le_bytes());
        elf[72..80].copy_from_slice(&1000u64.to_le_bytes());
        elf[96..104].copy_from_slice(&16u64.to_le_bytes());
        assert!(elf_interpreter(&elf).is_err(), "a PT_INTERP pointing nowhere must not pass");
        assert!(elf_interpreter(b"#!/bin/sh\n").is_err());
    }

    #[test]
    fn reads_elf_machines_in_both_byte_orders() {
        let mut elf = vec![0u8; 64];
        elf[..4].copy_from_slice(b"\x7fELF");
        elf[5] = 1;
        elf[18..20].copy_from_slice(&EM_AARCH64.to_le_bytes());
        assert_eq!(parse_header(&elf).unwrap().arch, Some(Arch::Arm64));
        elf[5] = 2;
        elf[18..20].copy_from_slice(&EM_X86_64.to_be_bytes());
        assert_eq!(parse_header(&elf).unwrap().arch, Some(Arch::Amd64));
        elf[18..20].copy_from_slice(&243u16.to_be_bytes());
        let riscv = parse_header(&elf).unwrap();
        assert_eq!((riscv.arch, riscv.machine.as_str()), (None, "ELF machine 243"));
    }

    #[test]
    fn reads_mach_o_cpu_types() {
        let mut macho = vec![0xcf, 0xfa, 0xed, 0xfe];
        macho.extend_from_slice(&CPU_TYPE_ARM64.to_le_bytes());
        let h = parse_header(&macho).unwrap();
        assert_eq!((h.os, h.arch), (Os::Darwin, Some(Arch::Arm64)));
    }

    #[test]
    fn rejects_scripts_and_short_files() {
        assert!(parse_header(b"#!/bin/sh\necho hi\n").is_err());
        assert!(parse_header(b"\x7fELF").is_err());
    }
}
