# Warnings as errors and hardening (ASVS 14.1.2): fortify, stack protector, PIE, full RELRO.
function(sy_harden target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(SY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NOT SY_ASAN AND NOT SY_FUZZ)
    target_compile_options(${target} PRIVATE -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
  endif()
  target_compile_options(${target} PRIVATE -fstack-protector-strong -fPIE)
  target_link_options(${target} PRIVATE -pie -Wl,-z,relro,-z,now)
endfunction()

if(SY_ASAN)
  # vptr checks need typeinfo that libsoci does not export.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr)
endif()
